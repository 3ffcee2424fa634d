package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.LoadFeedbackConfig;
import io.switchboard.config.LoadReportsConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level {@code load-reports} section and the pool key {@code load-feedback}. */
class LoadFeedbackConfigLoaderTest {
    private static final String FILE = "switchboard.yaml";
    private static final String HEAD = ConfigText.ONE_SERVER; // the body starts on line 9
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private LoadedConfig load(String body) throws ConfigException {
        return ConfigLoader.parse(HEAD + body, FILE, dir.resolve(FILE));
    }

    private List<String> errors(String body) {
        return ConfigText.errors(() -> load(body));
    }

    private List<String> warnings(String body) throws ConfigException {
        return ConfigText.warnings(load(body));
    }

    private void keyFile(String name, byte[] content) throws Exception {
        Files.write(dir.resolve(name), content);
    }

    @Test
    void pushWithAReceiverAndABase64KeyFile() throws Exception {
        keyFile("agent.key", (Base64.getEncoder().encodeToString(KEY) + "\n").getBytes(StandardCharsets.US_ASCII));
        String body = """
                    load-feedback: push
                load-reports:
                  listen: 127.0.0.1:7000
                  key-file: agent.key
                  max-age: 5s
                """;
        LoadedConfig c = load(body);
        assertThat(c.config().pools().get("app").loadFeedback()).isEqualTo(LoadFeedbackConfig.PUSH);
        LoadReportsConfig r = c.config().loadReports();
        assertThat(r.host()).isEqualTo("127.0.0.1");
        assertThat(r.port()).isEqualTo(7000);
        assertThat(r.key()).isEqualTo(KEY);
        assertThat(r.maxAge()).isEqualTo(Duration.ofSeconds(5));
        assertThat(r.keySource()).contains("agent.key");
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void rawKeyBytesAndDefaults() throws Exception {
        byte[] raw = new byte[32];
        for (int i = 0; i < raw.length; i++) raw[i] = (byte) (0x80 + i); // not base64 text
        keyFile("raw.key", raw);
        LoadReportsConfig r = load("    load-feedback: push\nload-reports:\n  key-file: raw.key\n").config().loadReports();
        assertThat(r.key()).isEqualTo(raw);
        assertThat(r.host()).isEqualTo("0.0.0.0");
        assertThat(r.port()).isEqualTo(7946);
        assertThat(r.maxAge()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void agentCheckWithItsDefaults() throws Exception {
        assertThat(load("    load-feedback:\n      agent-check: {port: 5555}\n").config().pools().get("app").loadFeedback())
                .isEqualTo(LoadFeedbackConfig.agentCheck(5555, Duration.ofSeconds(1), Duration.ofMillis(500)));
        assertThat(load("    load-feedback:\n      agent-check:\n        port: 5555\n        interval: 2s\n        timeout: 1s\n")
                .config().pools().get("app").loadFeedback())
                .isEqualTo(LoadFeedbackConfig.agentCheck(5555, Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThat(load("").config().pools().get("app").loadFeedback()).isNull();
        assertThat(load("").config().loadReports()).isNull();
    }

    @Test
    void poolKeyErrors() {
        assertThat(errors("    load-feedback: pusch\n")).containsExactly(
                "switchboard.yaml:9: pools.app.load-feedback: unknown value 'pusch', did you mean 'push'? (allowed: push, or"
                        + " agent-check: {port: N, interval: 1s, timeout: 500ms})");
        assertThat(errors("    load-feedback: agent-check\n")).containsExactly(
                "switchboard.yaml:9: pools.app.load-feedback: agent-check needs its port: agent-check: {port: N, interval: 1s,"
                        + " timeout: 500ms}");
        assertThat(errors("    load-feedback:\n      agent_check: {port: 1}\n")).containsExactly(
                "switchboard.yaml:10: pools.app.load-feedback.agent_check: unknown key 'agent_check', did you mean"
                        + " 'agent-check'? (allowed: push, agent-check)");
        assertThat(errors("    load-feedback:\n      agent-check: {interval: 1s}\n")).containsExactly(
                "switchboard.yaml:10: pools.app.load-feedback.agent-check.port: required key is missing (the agent's TCP port,"
                        + " 1-65535)");
        assertThat(errors("    load-feedback:\n      agent-check: {port: 70000, intervall: 1s}\n")).containsExactly(
                "switchboard.yaml:10: pools.app.load-feedback.agent-check.port: 70000 is out of range (allowed: 1-65535)",
                "switchboard.yaml:10: pools.app.load-feedback.agent-check.intervall: unknown key 'intervall', did you mean"
                        + " 'interval'? (allowed: port, interval, timeout)");
    }

    @Test
    void pushNeedsTheReceiver() {
        assertThat(errors("    load-feedback: push\n")).containsExactly(
                "switchboard.yaml:9: pools.app.load-feedback: push needs a receiver: add load-reports: {listen: 0.0.0.0:7946,"
                        + " key-file: ...} at the top of the file (or pull with agent-check: {port: N})");
    }

    @Test
    void receiverErrors() throws Exception {
        keyFile("short.key", "c2hvcnQ=\n".getBytes(StandardCharsets.US_ASCII)); // "short"
        assertThat(errors("    load-feedback: push\nload-reports:\n  key-file: short.key\n")).containsExactly(
                "switchboard.yaml:11: load-reports.key-file: the key is 5 bytes long; use at least 16 bytes: base64 text"
                        + " (e.g. the output of openssl rand -base64 32) or raw bytes (e.g. head -c 32 /dev/urandom)");
        assertThat(errors("    load-feedback: push\nload-reports:\n  key-file: missing.key\n")).containsExactly(
                "switchboard.yaml:11: load-reports.key-file: no such file: " + dir.resolve("missing.key"));
        assertThat(errors("    load-feedback: push\nload-reports:\n  listen: 127.0.0.1:7000\n")).containsExactly(
                "switchboard.yaml:10: load-reports: the shared key is missing: give key-file (a file readable only by"
                        + " switchboard) or key-env (an environment variable); the key is at least 16 bytes: base64 text"
                        + " (e.g. openssl rand -base64 32) or raw bytes");
        keyFile("agent.key", KEY);
        assertThat(errors("    load-feedback: push\nload-reports:\n  key-file: agent.key\n  key-env: SB_KEY\n"
                + "  listen: nowhere\n  max-age: 0s\n  maxage: 1s\n")).containsExactly(
                "switchboard.yaml:12: load-reports.key-env: give either key-file or key-env, not both",
                "switchboard.yaml:13: load-reports.listen: 'nowhere' has no port (expected host:port, e.g. 10.0.0.5:8080,"
                        + " app_1:80 or [::1]:80)",
                "switchboard.yaml:14: load-reports.max-age: '0s' must be more than 0",
                "switchboard.yaml:15: load-reports.maxage: unknown key 'maxage', did you mean 'max-age'? (allowed: listen,"
                        + " key-file, key-env, max-age)");
    }

    @Test
    void aMissingKeyVariableIsAnErrorToRunAndAWarningToCheck() throws Exception {
        String body = "    load-feedback: push\nload-reports:\n  key-env: SB_TEST_SURELY_UNSET_KEY\n";
        assertThat(errors(body)).containsExactly("switchboard.yaml:11: load-reports.key-env: environment variable"
                + " SB_TEST_SURELY_UNSET_KEY is not set (or is empty)");
        LoadedConfig c = ConfigLoader.parse(HEAD + body, FILE, dir.resolve(FILE), ConfigLoader.Purpose.CHECK);
        assertThat(ConfigText.warnings(c)).containsExactly("switchboard.yaml:11: warning: load-reports.key-env: environment"
                + " variable SB_TEST_SURELY_UNSET_KEY is not set (or is empty); run refuses to start without it");
    }

    @Test
    void aReceiverNoPoolReadsIsAWarning() throws Exception {
        keyFile("agent.key", KEY);
        assertThat(warnings("load-reports:\n  key-file: agent.key\n")).containsExactly(
                "switchboard.yaml:9: warning: load-reports: no pool has load-feedback: push; the receiver is not started");
    }

    @Test
    void aTimeoutLongerThanTheIntervalIsAWarning() throws Exception {
        assertThat(warnings("    load-feedback:\n      agent-check: {port: 5555, interval: 1s, timeout: 2s}\n")).containsExactly(
                "switchboard.yaml:10: warning: pools.app.load-feedback.agent-check.timeout: timeout 2s is longer than the interval 1s;"
                        + " a slow agent is then pulled less often than every interval");
    }
}
