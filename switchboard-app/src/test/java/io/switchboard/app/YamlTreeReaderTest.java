package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The YAML tree as the config sections read it: every value as the text the file gives (the reader
 * does not let YAML types change it), null forms as empty values, keys in file order, and the key
 * path of a problem.
 */
class YamlTreeReaderTest {
    private static YamlNode.Mapping read(String yaml, Problems problems) {
        return (YamlNode.Mapping) YamlTreeReader.read(yaml, problems);
    }

    private static String text(YamlNode.Mapping m, String key) {
        return ((YamlNode.Scalar) m.entries().get(key).value()).text();
    }

    @Test
    void valuesKeepTheirTextWhateverTypeYamlWouldGiveThem() {
        Problems problems = new Problems("t.yaml");
        YamlNode.Mapping m = read("""
                a: yes
                b: 1_000
                c: 0x1F
                d: 1.5e3
                e: .inf
                f: 2001-12-14
                g: Off
                h: 012
                i: !!str 5
                j: 'null'
                k: "~"
                l: none
                m: No
                n: 127.1.0.1:8080
                """, problems);
        assertThat(problems.hasErrors()).isFalse();
        List<String> texts = new ArrayList<>();
        for (String k : m.entries().keySet()) texts.add(k + "=" + text(m, k));
        assertThat(texts).containsExactly("a=yes", "b=1_000", "c=0x1F", "d=1.5e3", "e=.inf", "f=2001-12-14", "g=Off", "h=012",
                "i=5", "j=null", "k=~", "l=none", "m=No", "n=127.1.0.1:8080");
    }

    @Test
    void nullFormsAreEmptyValues() {
        Problems problems = new Problems("t.yaml");
        YamlNode.Mapping m = read("""
                a: ~
                b: null
                c: Null
                d: NULL
                e:
                f: ""
                """, problems);
        assertThat(problems.hasErrors()).isFalse();
        for (String k : List.of("a", "b", "c", "d", "e", "f")) {
            assertThat(((YamlNode.Scalar) m.entries().get(k).value()).isEmpty()).as(k).isTrue();
        }
    }

    @Test
    void longAndShortMappingsKeepFileOrderAndFindEveryKey() {
        Problems problems = new Problems("t.yaml");
        StringBuilder yaml = new StringBuilder();
        List<String> keys = new ArrayList<>();
        for (int i = 20; i > 0; i--) {
            keys.add("k" + i);
            yaml.append("k").append(i).append(": {x: ").append(i).append(", y: 2}\n");
        }
        YamlNode.Mapping m = read(yaml.toString(), problems);
        assertThat(problems.hasErrors()).isFalse();
        assertThat(m.entries().keySet()).containsExactlyElementsOf(keys);
        assertThat(m.entries().values()).extracting(YamlNode.Entry::key).containsExactlyElementsOf(keys);
        for (String k : keys) {
            YamlNode.Mapping inner = (YamlNode.Mapping) m.entries().get(k).value();
            assertThat(text(inner, "x")).isEqualTo(k.substring(1));
            assertThat(inner.entries().containsKey("y")).isTrue();
            assertThat(inner.entries().get("z")).isNull();
        }
        assertThat(m.entries().containsKey("k21")).isFalse();
        assertThat(m.entries().get("k7").line()).isEqualTo(14);
    }

    @Test
    void aFileOfMoreThanThreeMebibytesIsRead() {
        // SnakeYAML's default limit is 3 MiB code points: 50,000 servers, one a line, are more
        StringBuilder yaml = new StringBuilder("servers:\n");
        int servers = 50_000;
        for (int i = 0; i < servers; i++) {
            yaml.append("  - { name: server-").append(i).append(", address: 10.").append(i / 65536).append('.')
                    .append(i / 256 % 256).append('.').append(i % 256).append(":8080, weight: 1 }\n");
        }
        assertThat(yaml.length()).isGreaterThan(3 * 1024 * 1024);
        Problems problems = new Problems("t.yaml");
        YamlNode.Mapping m = read(yaml.toString(), problems);
        assertThat(problems.errors()).isEmpty();
        assertThat(((YamlNode.Sequence) m.entries().get("servers").value()).items()).hasSize(servers);
    }

    @Test
    void aRepeatedKeyIsReportedWithItsPathInShortAndLongMappings() {
        Problems problems = new Problems("t.yaml");
        StringBuilder yaml = new StringBuilder("pools:\n  app:\n    servers:\n      - {name: a, address: x:1}\n"
                + "      - {name: b, name: c}\n");
        for (int i = 0; i < 10; i++) yaml.append("k").append(i).append(": ").append(i).append('\n');
        yaml.append("k3: again\n");
        YamlNode.Mapping m = read(yaml.toString(), problems);
        assertThat(problems.errors()).extracting(ConfigProblem::toString).containsExactly(
                "t.yaml:5: pools.app.servers[1].name: duplicate key (first given at line 5)",
                "t.yaml:16: k3: duplicate key (first given at line 9)");
        assertThat(text(m, "k3")).isEqualTo("3");
        assertThat(m.entries()).hasSize(11);
    }
}
