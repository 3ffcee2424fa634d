package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.PoolConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool keys {@code lard-low}, {@code lard-high} and {@code lard-shrink-after}. */
class LardConfigLoaderTest {
    private static final String FILE = "switchboard.yaml";
    private static final String HEAD = ConfigText.ONE_SERVER; // the body starts on line 9

    private static LoadedConfig load(String body) throws ConfigException {
        return ConfigLoader.parse(HEAD + body, FILE, null);
    }

    private static PoolConfig pool(String body) throws ConfigException {
        return load(body).config().pools().get("app");
    }

    private static List<String> errors(String body) {
        return ConfigText.errors(() -> load(body));
    }

    private static List<String> warnings(String body) throws ConfigException {
        return ConfigText.warnings(load(body));
    }

    @Test
    void thresholdsAndShrinkAfterAreRead() throws Exception {
        String body = """
                    algorithm: lard-r
                    lard-low: 4
                    lard-high: 10
                    lard-shrink-after: 1m30s
                """;
        PoolConfig p = pool(body);
        assertThat(p.lardLow()).isEqualTo(4);
        assertThat(p.lardHigh()).isEqualTo(10);
        assertThat(p.lardShrinkAfter()).isEqualTo(Duration.ofSeconds(90));
        assertThat(warnings(body)).isEmpty();
    }

    @Test
    void omittedKeysTakeThePapersDefaults() throws Exception {
        PoolConfig p = pool("    algorithm: lard\n");
        assertThat(p.lardLow()).isEqualTo(25);
        assertThat(p.lardHigh()).isEqualTo(65);
        assertThat(p.lardShrinkAfter()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void lowMustBeBelowHigh() {
        assertThat(errors("""
                    algorithm: lard
                    lard-low: 10
                    lard-high: 10
                """)).containsExactly("switchboard.yaml:11: pools.app.lard-high: lard-low 10 must be below lard-high 10"
                + " (a back end under lard-low is nearly idle, one over lard-high overloaded)");
        assertThat(errors("""
                    algorithm: lard
                    lard-low: 70
                """)).containsExactly("switchboard.yaml:10: pools.app.lard-low: lard-low 70 must be below lard-high 65 (the default)"
                + " (a back end under lard-low is nearly idle, one over lard-high overloaded)");
    }

    @Test
    void valuesOutOfRange() {
        assertThat(errors("""
                    algorithm: lard-r
                    lard-low: 0
                    lard-high: many
                    lard-shrink-after: 0s
                """)).containsExactly(
                "switchboard.yaml:10: pools.app.lard-low: 0 is out of range (allowed: 1-999999)",
                "switchboard.yaml:11: pools.app.lard-high: 'many' is not a whole number (allowed: 2-1000000)",
                "switchboard.yaml:12: pools.app.lard-shrink-after: '0s' must be more than 0");
    }

    @Test
    void keysForAnotherAlgorithmAreWarnedAboutAndIgnored() throws Exception {
        assertThat(warnings("""
                    algorithm: least-conn
                    lard-low: 5
                    lard-high: 9
                """)).containsExactly("switchboard.yaml:10: warning: pools.app.lard-low: only used by lard and lard-r;"
                + " 'lard-low', 'lard-high' are ignored with least-conn");
        assertThat(warnings("""
                    algorithm: lard
                    lard-shrink-after: 5s
                """)).containsExactly("switchboard.yaml:10: warning: pools.app.lard-shrink-after: only used by lard-r; ignored with lard");
    }

    @Test
    void aMisspelledKeyIsSuggested() {
        assertThat(errors("    lard-hihg: 9\n")).singleElement().asString()
                .startsWith("switchboard.yaml:9: pools.app.lard-hihg: unknown key 'lard-hihg', did you mean 'lard-high'?");
    }
}
