package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link SimpleYamlScanner} reads what it reads as SnakeYAML does: for every text it does not give up
 * on, the tree (keys, values, lines and columns) and the problems are those of the SnakeYAML path,
 * over the shapes config files have, the repository's configs and tens of thousands of variants of
 * them; everything else it gives up on.
 */
class SimpleYamlScannerTest {
    /** Read the same either way; true when the scanner read it (rather than giving up). */
    private static boolean readsAlike(String yaml) {
        boolean scanned = SimpleYamlScanner.scan(yaml) != null;
        Problems viaScanner = new Problems("t.yaml");
        YamlNode tree = YamlTreeReader.read(yaml, viaScanner);
        Problems viaSnakeYaml = new Problems("t.yaml");
        YamlNode expected = YamlTreeReader.readWithSnakeYaml(yaml, viaSnakeYaml);
        assertThat(tree).as(yaml).isEqualTo(expected);
        assertThat(viaScanner.errors()).as(yaml).isEqualTo(viaSnakeYaml.errors());
        assertThat(viaScanner.warnings()).as(yaml).isEqualTo(viaSnakeYaml.warnings());
        return scanned;
    }

    private static String servers(int n) {
        StringBuilder sb = new StringBuilder("listeners:\n  - name: web\n    address: 127.0.0.1\n    port: 0\n    default-pool: app\n"
                + "pools:\n  app:\n    algorithm: least-conn\n    servers:\n");
        for (int i = 0; i < n; i++) {
            sb.append("      - { name: s").append(i).append(", address: 127.1.").append(i / 250).append('.').append(i % 250 + 1)
                    .append(":8080, weight: ").append(1 + i % 4).append(" }\n");
        }
        return sb.append("access-log: off\n").toString();
    }

    @Test
    void aLargePoolWrittenOneServerALineIsScanned() {
        assertThat(readsAlike(servers(1_000))).isTrue();
        assertThat(readsAlike(ConfigText.ONE_SERVER)).isTrue();
    }

    @Test
    void emptyValuesListsFlowCollectionsQuotesAndCommentsAreScanned() {
        List<String> yamls = List.of(
                "a:\n", "a:\nb: 1\n", "a:   # c\n  # d\nb: 1", "a:\n- x\n- y\nb:\n", "a:\n  - x\n  -   y  \nb: ~\n",
                "l:\n  - name: a\n    x:\n  - name: b\n    y:\n      - 1\n", "l:\n- name: a\n  x:\n- name: b\n",
                "a: b # c\nc: 'x y' # z\nd: \"q # r\"\ne: [a, 'b', \"c\", {d: e}, []]\nf: {}\ng: { a: [ 1 , 2 ] , b: x y }\n",
                "a: x:y\nb: http://h:8/p?q=1&r\nc: a,b]\nd: -1\ne: null\nf: Null\ng: NULL\nh: ~\ni: 'null'\nj: nul\n",
                "a: b\n  # c\nd: e\n", "a: 1\na: 2\n", "a:\n  b: 1\n  b: 2\n", "a: {b: c, b: d}\n", "a: '' \nb: \"\"\n",
                "x:\n    y: 1\n    z:\n      - {a: 1}\n      - [b]\n    w: 2\n", "a: [{b: 1}, {c: 2}]\n", "# start\n\na: b",
                "a: b\n   \n", "a: [a b, c  d]\n", "a: {b: c  d}\n", "a: { b: 1 }  # x\n", "a: [ ]\n", "a: { }\n",
                // flow collections going on to the next lines after a comma
                "a: {b: 1,\n  c: 2}\n", "a: [1,\n 2,   \n     3]\nd: e\n", "l:\n  - {name: a, mode: tcp,\n     port: 1}\n  - {name: b}\n",
                "a:\n  b: {c: [1,\n      2], d: 'x',\n   e: \"y\"}\n  f: 1\n");
        for (String yaml : yamls) assertThat(readsAlike(yaml)).as(yaml).isTrue();
    }

    @Test
    void givesUpOnWhatItDoesNotReadAndOnEverySyntaxError() {
        List<String> yamls = List.of(
                "", "# only a comment\n", "- a\n", "  a: 1\n", "a: b\n  c\n", "a:\n  b: 1\n c: 2\n", "a: 'it''s'\n", "a: \"x\\ty\"\n",
                "a: {b: 1,\nc: 2}\n", "a:\n  b: {c: 1,\n  d: 2}\n", "a: {b: 1, # x\n  c: 2}\n",
                "a: {b: 1,\n\n  c: 2}\n", "a: {b: 1,\n  # x\n  c: 2}\n", "a: {b: 1,\n  }\n", "a: [1,\n  , 2]\n", "a: {b: 1,",
                "a: {b: 1\n  , c: 2}\n", "a: {b:\n  1}\n", "a: {\n  b: 1}\n", "a: [1, 2\n  ]\n", "a: {b: x\n  y}\n", "a: b: c\n", "a: -\n", "a: - b\n", "a: {b: }\n", "a: {b: c,}\n",
                "a: b\n---\nc: d\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: |\n  x\n", "a:\tb\n", "a: \u00e9\n", "a: b\r\n",
                "a: b#c\n", "?a: b\n", "a?: b\n", "a: b\n- c\n", "a:\n  - b\n  c: d\n", "a:\nb\n", "'a': b\n");
        for (String yaml : yamls) assertThat(readsAlike(yaml)).as(yaml).isFalse();
    }

    /** bench/conf/switchboard.yaml's shape: flow mappings going on to a second line. */
    private static final String FLOW_OVER_LINES = """
            listeners:
              - {name: web-tcp, mode: tcp, address: 127.0.0.1, port: 18399, default-pool: app, client-idle-timeout: 120s,
                 max-connections: 0, max-connections-per-ip: 0}
              - {name: redis, mode: tcp, address: 127.0.0.1, port: 18499,
                 default-pool: app, tags: [a, b,
                   c]}
            pools:
              app:
                servers:
                  - { name: b1, address: "127.0.0.1:19181",
                      weight: 2 }
            """;

    @Test
    void variantsOfTheRepositorysConfigsReadAlikeEitherWay() throws IOException, URISyntaxException {
        List<String> seeds = new ArrayList<>(List.of(servers(20), ConfigText.ONE_SERVER, FLOW_OVER_LINES));
        Path inputs = Path.of(Objects.requireNonNull(getClass().getResource("ConfigLoaderFuzzTestInputs/parse")).toURI());
        try (Stream<Path> files = Files.list(inputs)) {
            for (Path f : files.sorted().toList()) seeds.add(Files.readString(f));
        }
        Random random = new Random(20261204);
        String inserted = " :-#'\"{}[],\na?&*!|>%@~.\\/0";
        int scanned = 0;
        for (int k = 0; k < 30_000; k++) {
            String v = seeds.get(random.nextInt(seeds.size()));
            for (int m = 1 + random.nextInt(3); m > 0 && !v.isEmpty(); m--) v = mutate(v, random, inserted);
            if (readsAlike(v)) scanned++;
        }
        assertThat(scanned).as("variants the scanner read").isGreaterThan(5_000);
    }

    /** One change a person might make by mistake: a character or a line added, dropped or moved. */
    private static String mutate(String v, Random random, String inserted) {
        int at = random.nextInt(v.length());
        int lineStart = v.lastIndexOf('\n', at) + 1;
        int lineEnd = v.indexOf('\n', at) < 0 ? v.length() - 1 : v.indexOf('\n', at);
        return switch (random.nextInt(7)) {
            case 0 -> v.substring(0, at) + v.substring(at + 1);
            case 1, 2 -> v.substring(0, at) + inserted.charAt(random.nextInt(inserted.length())) + v.substring(at);
            case 3 -> random.nextBoolean() ? v.substring(0, lineStart) + " ".repeat(1 + random.nextInt(2)) + v.substring(lineStart)
                    : v.startsWith(" ", lineStart) ? v.substring(0, lineStart) + v.substring(lineStart + 1) : v;
            case 4 -> v.substring(0, lineEnd + 1) + v.substring(lineStart, lineEnd + 1) + v.substring(lineEnd + 1);
            case 5 -> v.substring(0, lineStart) + v.substring(lineEnd + 1);
            default -> v.substring(0, at) + (random.nextBoolean() ? ": " : " ") + v.substring(at + 1);
        };
    }
}
