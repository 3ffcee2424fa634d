package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proxy.demo.DemoBackend;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #3, faults under load: SIGTERM to a real {@code switchboard run} while 32 connections send
 * GETs. Every request the proxy took is answered in full: the number of complete 200 responses the
 * clients read equals the number of requests in the proxy's access log, and every one of those is
 * 200. What the clients could not send is only ever refused or closed before any byte (the listener
 * had closed, or an idle keep-alive connection was closed as the request went out); those are
 * counted apart. The process exits 0 within its grace period.
 */
class GracefulShutdownUnderLoadIT {
    private static final int CONNECTIONS = 32;
    private static final Pattern CLF_STATUS = Pattern.compile("\" (\\d{3}) ");
    private static final Pattern JSON_STATUS = Pattern.compile("\"status\":(\\d{3})");

    @TempDir
    Path dir;

    @Test
    void everyAcceptedRequestIsAnsweredAndTheProcessExitsZero() throws Exception {
        Path accessLog = dir.resolve("access.log");
        try (DemoBackend alpha = new DemoBackend("alpha").start("127.0.0.1", 0);
             DemoBackend bravo = new DemoBackend("bravo").start("127.0.0.1", 0)) {
            alpha.setLatencyMillis(30); // requests are in flight when SIGTERM comes
            bravo.setLatencyMillis(30);
            Path file = dir.resolve("switchboard.yaml");
            Files.writeString(file, """
                    listeners:
                      - name: web
                        address: 127.0.0.1
                        port: 0
                        default-pool: app
                    pools:
                      app:
                        servers:
                          - { name: alpha, address: "127.0.0.1:%d" }
                          - { name: bravo, address: "127.0.0.1:%d" }
                    event-loops: 2
                    access-log: access.log
                    admin: { enabled: false }   # tests bind only ephemeral ports
                    shutdown-grace: 10s
                    """.formatted(alpha.port(), bravo.port()));
            try (ChildProcess sb = ChildProcess.switchboardRun("switchboard", file)) {
                InetSocketAddress web = sb.awaitListening("app", Duration.ofSeconds(30));
                LoadLoop load = new LoadLoop(web, "/", CONNECTIONS, 10, 100_000, Duration.ofSeconds(60)).start();
                Integer exit;
                long sentAtTerm;
                try {
                    assertThat(load.awaitCompleted(1_500, Duration.ofSeconds(30))).as("load started: " + load.summary()).isTrue();
                    sentAtTerm = load.completed.get();
                    sb.signal("TERM");
                    exit = sb.awaitExit(Duration.ofSeconds(20));
                } finally {
                    load.stop();
                }
                List<String> records = Files.readAllLines(accessLog);
                long non200InLog = records.stream().filter(r -> status(r) != 200).count();
                System.out.printf("GracefulShutdownUnderLoadIT: SIGTERM after %d responses; exit %s; %s; access log: %d requests,"
                        + " %d not 200%n", sentAtTerm, exit, load.summary(), records.size(), non200InLog);
                load.problems().forEach(p -> System.out.println("  " + p));
                records.stream().filter(r -> status(r) != 200).limit(10).forEach(r -> System.out.println("  " + r));

                assertThat(exit).as("exit code within the grace").isZero();
                assertThat(load.problems()).as("problems").isEmpty();
                assertThat(load.failures()).as("requests taken and not answered in full, or not 200").isZero();
                assertThat(non200InLog).as("requests in the access log not answered 200").isZero();
                assertThat(records).as("requests the proxy took = complete responses the clients read")
                        .hasSize((int) load.completed.get());
                assertThat(load.refused.get()).as("connects refused once the listener closed").isPositive();
                assertThat(load.closeResponses.get()).as("responses with Connection: close while draining").isPositive();
                assertThat(sb.output()).anyMatch(l -> l.endsWith("Switchboard - stopped"))
                        .noneMatch(l -> l.contains("cut off") || l.contains("LEAK:"));
            }
        }
    }

    /** The status of one access log line, in the combined, Switchboard or JSON format. */
    private static int status(String line) {
        Matcher m = JSON_STATUS.matcher(line);
        if (m.find()) return Integer.parseInt(m.group(1));
        m = CLF_STATUS.matcher(line);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
