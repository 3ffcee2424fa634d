package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.config.SwitchboardConfig;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link ConfigLoader} with arbitrary text: every input must end in a loaded config or in a
 * {@link ConfigException} whose every problem names the file and a line (0 for the file as a whole)
 * and says something; never in any other exception. The seeds in
 * {@code ConfigLoaderFuzzTestInputs/parse/} are the documented example, the bench and demo configs
 * and a few broken files. In the default build this runs in fuzzing mode for a bounded time, in a
 * JVM of its own.
 */
class ConfigLoaderFuzzTest {
    private static final String FILE = "fuzz.yaml";

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        LoadedConfig loaded;
        try {
            loaded = ConfigLoader.parse(text, FILE, null);
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty();
            for (ConfigProblem p : e.problems()) {
                assertThat(p.severity()).isEqualTo(ConfigProblem.Severity.ERROR);
                assertThat(p.file()).isEqualTo(FILE);
                assertThat(p.line()).isNotNegative();
                assertThat(p.message()).isNotBlank();
                assertThat(p.toString()).startsWith(FILE + (p.line() > 0 ? ":" + p.line() + ": " : ": "));
            }
            return;
        }
        SwitchboardConfig c = loaded.config();
        assertThat(c.listeners()).isNotEmpty();
        assertThat(c.pools()).isNotEmpty();
        c.listeners().forEach(l -> assertThat(c.pools()).containsKey(l.defaultPool()));
        loaded.warnings().forEach(w -> assertThat(w.file()).isEqualTo(FILE));
    }
}
