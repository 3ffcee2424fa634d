package io.switchboard.app;

import static io.switchboard.app.CommandRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code switchboard agent}'s command line errors, in-process: each says what is wrong and what is allowed; nothing starts. */
class AgentCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheOptions() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        PrintStream stderr = System.err;
        ByteArrayOutputStream picocliWarnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(picocliWarnings, true, StandardCharsets.UTF_8)); // picocli warns on System.err
        try {
            assertThat(cl.execute("agent", "--help")).isZero();
        } finally {
            System.setErr(stderr);
        }
        assertThat(picocliWarnings.toString(StandardCharsets.UTF_8)).as("help text format warnings").isEmpty();
        assertThat(out.toString()).contains("\"up ready 73%\"");
        assertThat(out.toString()).contains("--name", "--interval", "--agent-check-port", "--agent-check-address", "--push",
                "--key-file", "--nginx-status", "--apache-status", "--state-file", "--min-weight", "--maxconn", "--proc");
    }

    @Test
    void pushWithoutAKeyIsRefused() {
        CommandRun r = run("agent", "--name", "web-1", "--push", "127.0.0.1:9000");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--push needs --key-file");
    }

    @Test
    void intervalsAreDurationsOfAtLeast100ms() {
        CommandRun bare = run("agent", "--name", "w", "--agent-check-port", "0", "--interval", "5");
        assertThat(bare.exitCode()).isEqualTo(2);
        assertThat(bare.err()).contains("--interval '5' has no unit (write 5s or 5ms)");
        CommandRun shortOne = run("agent", "--name", "w", "--agent-check-port", "0", "--interval", "50ms");
        assertThat(shortOne.exitCode()).isEqualTo(2);
        assertThat(shortOne.err()).contains("--interval 50ms is too short: at least 100ms");
    }

    @Test
    void shortKeysBadTargetsAndNothingToDoAreRefused() throws Exception {
        Path key = dir.resolve("key");
        Files.writeString(key, "c2hvcnQ=\n");
        CommandRun shortKey = run("agent", "--name", "w", "--push", "127.0.0.1:9000", "--key-file", key.toString());
        assertThat(shortKey.exitCode()).isEqualTo(2);
        assertThat(shortKey.err()).contains("the key is 5 bytes long; use at least 16 bytes");
        CommandRun target = run("agent", "--name", "w", "--push", "127.0.0.1", "--key-file", key.toString());
        assertThat(target.exitCode()).isEqualTo(2);
        assertThat(target.err()).contains("--push ").contains("expected host:port");
        CommandRun nothing = run("agent", "--name", "w");
        assertThat(nothing.exitCode()).isEqualTo(2);
        assertThat(nothing.err()).contains("nothing to do: give --agent-check-port");
        CommandRun url = run("agent", "--name", "w", "--agent-check-port", "0", "--nginx-status", "localhost/status");
        assertThat(url.exitCode()).isEqualTo(2);
        assertThat(url.err()).contains("--nginx-status 'localhost/status' is not a URL");
    }
}
