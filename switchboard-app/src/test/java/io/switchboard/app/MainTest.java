package io.switchboard.app;

import static io.switchboard.app.CommandRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run in-process with captured output. Nothing here opens a socket. */
class MainTest {
    @Test
    void checkOfAValidFilePrintsASummary(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, """
                listeners:
                  - port: 8080
                    default-pool: app
                pools:
                  app:
                    servers:
                      - {name: a, address: "10.0.0.1:80"}
                      - {name: b, address: "10.0.0.2:80"}
                      - {name: c, address: "10.0.0.3:80"}
                  static:
                    servers:
                      - {name: s1, address: "10.0.1.1:80"}
                      - {name: s2, address: "10.0.1.2:80"}
                """);
        CommandRun r = run("check", "-c", file.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("OK: 1 listener, 2 pools, 5 servers\n");
        assertThat(r.err()).isEqualTo(file + ":10: warning: pools.static: pool 'static' is not used by any listener\n");
    }

    @Test
    void checkOfABrokenFilePrintsEveryErrorAndExits2(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, """
                listeners:
                  - port: 8080
                    default-pool: ap
                pools:
                  app:
                    servers:
                      - name: a
                        address: 127.0.0.1:9001
                        wieght: 3
                """);
        CommandRun r = run("check", "--config", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(String.join("\n",
                file + ":3: listeners[0].default-pool: no pool named 'ap', did you mean 'app'? (pools: app)",
                file + ":9: pools.app.servers[0].wieght: unknown key 'wieght', did you mean 'weight'? (allowed: name, address, weight, state, max-connections, tags, send-proxy)",
                "2 errors in " + file,
                ""));
    }

    @Test
    void checkOfAMissingFileExits2(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");
        CommandRun r = run("check", "-c", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(file + ": no such file\n1 error in " + file + "\n");
    }

    @Test
    void runWithABrokenFileDoesNotStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "listeners: []\npools: {}\n");
        CommandRun r = run("run", "-c", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).endsWith("2 errors in " + file + "; not started\n");
    }

    @Test
    void checkWarnsAboutAnUnsetTokenVariableWhileRunRefusesToStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, """
                listeners:
                  - port: 8080
                    default-pool: app
                pools:
                  app:
                    servers:
                      - {name: a, address: "10.0.0.1:80"}
                admin:
                  token-env: SWITCHBOARD_TEST_SURELY_UNSET_TOKEN
                """);
        CommandRun check = run("check", "-c", file.toString());
        assertThat(check.exitCode()).as("the file itself is valid").isZero();
        assertThat(check.out()).isEqualTo("OK: 1 listener, 1 pool, 1 server\n");
        assertThat(check.err()).isEqualTo(file + ":9: warning: admin.token-env: environment variable"
                + " SWITCHBOARD_TEST_SURELY_UNSET_TOKEN is not set (or is empty); run refuses to start without it\n");
        CommandRun run = run("run", "-c", file.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(file + ":9: admin.token-env: environment variable SWITCHBOARD_TEST_SURELY_UNSET_TOKEN"
                + " is not set (or is empty)\n1 error in " + file + "; not started\n");
    }

    @Test
    void checkValidatesTheDnsSection(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dns.yaml");
        String head = """
                listeners:
                  - port: 8080
                    default-pool: app
                pools:
                  app:
                    servers:
                      - {name: a, address: "10.0.0.1:80"}
                dns:
                  listen: 127.0.0.1:5353
                  zones:
                    - origin: example.test
                      ns: [ns1.example.test.]
                      pools:
                """;
        Files.writeString(file, head + "        - {name: www, pool: app}\n");
        CommandRun ok = run("check", "-c", file.toString());
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).isEqualTo("OK: 1 listener, 1 pool, 1 server, DNS for 1 zone\n");
        Files.writeString(file, head + "        - {name: www, pool: apps}\n");
        CommandRun bad = run("check", "-c", file.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).startsWith(file + ":14: dns.zones[0].pools[0].pool: no pool named 'apps', did you mean 'app'?");
    }

    @Test
    void checkValidatesTheClusterSection(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Path key = dir.resolve("cluster.key");
        String head = """
                listeners:
                  - port: 8080
                    default-pool: app
                pools:
                  app:
                    servers:
                      - {name: a, address: "10.0.0.1:80"}
                cluster:
                  node: sb1
                  bind: 127.0.0.1:7800
                  peers: [127.0.0.1:7800, 127.0.0.2:7800, 127.0.0.3:7800]
                  key-file: cluster.key
                  interface: lo
                """;
        Files.write(key, new byte[32]);
        Files.writeString(file, head + "  vips: [127.0.0.100/8, 127.0.0.101/8]\n");
        CommandRun ok = run("check", "-c", file.toString());
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).isEqualTo("OK: 1 listener, 1 pool, 1 server, cluster node sb1 with 3 peers and 2 virtual addresses\n");
        Files.writeString(file, head + "  vips: [127.0.0.100/8, 127.0.0.100/8]\n");
        Files.write(key, new byte[16]);
        CommandRun bad = run("check", "-c", file.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo(file + ":12: cluster.key-file: " + key + " holds 16 bytes; the key must be at least 32"
                + " (head -c 32 /dev/urandom > " + key + ")\n"
                + file + ":14: cluster.vips[1]: 127.0.0.100 is listed twice (first at line 14; each virtual address once)\n"
                + "2 errors in " + file + "\n");
    }

    @Test
    void versionFallsBackToDevOutsideTheJarAndNamesTheCommit() throws Exception {
        CommandRun r = run("--version");
        assertThat(r.exitCode()).isZero();
        // built in a git work tree: the commit checked out; from a source tarball (no .git): unknown
        Process git = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").redirectErrorStream(true).start();
        String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (git.waitFor() == 0) {
            assertThat(r.out()).startsWith("switchboard dev (commit " + head).contains("\nJava ");
        } else {
            assertThat(r.out()).startsWith("switchboard dev (unknown commit)\nJava ");
        }
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        CommandRun r = run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("run", "check", "demo", "Exit codes:", "invalid configuration");
        CommandRun demoHelp = run("help", "demo");
        assertThat(demoHelp.out()).contains("--backends", "--latency", "--failure-rate", "--algorithm", "round-robin, least-conn");
    }

    @Test
    void aWrongCommandLineExits2AsDocumented() {
        CommandRun option = run("check", "--frobnicate");
        assertThat(option.exitCode()).as("unknown option").isEqualTo(2);
        assertThat(option.err()).contains("Unknown option: '--frobnicate'");
        CommandRun value = run("demo", "--port", "eighty");
        assertThat(value.exitCode()).as("bad value").isEqualTo(2);
        assertThat(value.err()).contains("Invalid value for option '--port'", "'eighty' is not an int");
        CommandRun command = run("frobnicate");
        assertThat(command.exitCode()).as("unknown command").isEqualTo(2);
        assertThat(command.err()).contains("Unmatched argument at index 0: 'frobnicate'");
    }

    @Test
    void noCommandIsAUsageError() {
        CommandRun r = run();
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing command: run, check, demo, agent or simulate");
    }

    @Test
    void demoOptionsAreValidatedBeforeAnythingStarts() {
        CommandRun r = run("demo", "--backends", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("--backends 0 is out of range (allowed: 1-26)\n");
        CommandRun a = run("demo", "--algorithm", "roundrobin");
        assertThat(a.exitCode()).isEqualTo(2);
        assertThat(a.err()).startsWith("--algorithm: unknown algorithm 'roundrobin', did you mean 'round-robin'?");
        CommandRun l = run("demo", "--latency", "20");
        assertThat(l.exitCode()).isEqualTo(2);
        assertThat(l.err()).as("the config file's duration syntax and message").isEqualTo("--latency: '20' has no unit (write 20s or 20ms)\n");
    }

    @Test
    void demoFailingAndSlowNameOnlyTheDemosBackEnds() {
        CommandRun unknown = run("demo", "--failing", "bravo,zulu");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("--failing: no back end named 'zulu' (this demo's back ends: alpha, bravo, charlie)\n");
        CommandRun misspelt = run("demo", "--slow", "brovo=300ms");
        assertThat(misspelt.exitCode()).isEqualTo(2);
        assertThat(misspelt.err()).isEqualTo("--slow: no back end named 'brovo', did you mean 'bravo'?"
                + " (this demo's back ends: alpha, bravo, charlie)\n");
        CommandRun beyond = run("demo", "--backends", "2", "--failing", "charlie");
        assertThat(beyond.err()).isEqualTo("--failing: no back end named 'charlie' (this demo's back ends: alpha, bravo)\n");
        CommandRun noDuration = run("demo", "--slow", "bravo");
        assertThat(noDuration.exitCode()).isEqualTo(2);
        assertThat(noDuration.err()).isEqualTo("--slow: 'bravo' is not NAME=DURATION (e.g. --slow bravo=300ms)\n");
        CommandRun noUnit = run("demo", "--slow", "alpha=1s,bravo=300");
        assertThat(noUnit.exitCode()).isEqualTo(2);
        assertThat(noUnit.err()).as("the config file's duration syntax and message")
                .isEqualTo("--slow bravo: '300' has no unit (write 300s or 300ms)\n");
        CommandRun twice = run("demo", "--slow", "bravo=1s", "--slow", "bravo=2s");
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.err()).isEqualTo("--slow: bravo is given twice (1s and 2s)\n");
    }
}
