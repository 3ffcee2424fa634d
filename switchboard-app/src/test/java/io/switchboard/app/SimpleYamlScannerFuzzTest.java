package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link SimpleYamlScanner} against SnakeYAML: for any text the scanner reads, the tree (keys,
 * values, lines and columns) and the problems must be those of the SnakeYAML path; a text it gives up
 * on is SnakeYAML's alone. The seeds in {@code SimpleYamlScannerFuzzTestInputs/readsAsSnakeYaml/} are
 * configs in the shape the scanner reads. In the default build this runs in fuzzing mode for a
 * bounded time, in a JVM of its own.
 */
class SimpleYamlScannerFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void readsAsSnakeYaml(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        if (SimpleYamlScanner.scan(text) == null) return;
        Problems viaScanner = new Problems("fuzz.yaml");
        YamlNode tree = YamlTreeReader.read(text, viaScanner);
        Problems viaSnakeYaml = new Problems("fuzz.yaml");
        YamlNode expected = YamlTreeReader.readWithSnakeYaml(text, viaSnakeYaml);
        assertThat(tree).isEqualTo(expected);
        assertThat(viaScanner.errors()).isEqualTo(viaSnakeYaml.errors());
        assertThat(viaScanner.warnings()).isEqualTo(viaSnakeYaml.warnings());
    }
}
