package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proxy.demo.DemoBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log rotation as logrotate does it to a real {@code switchboard run}: rename the access log, send
 * SIGUSR1 (the packaged snippet's postrotate), and the next requests go to a new file by the old name.
 * Without a handler, SIGUSR1 would end the JVM.
 */
class AccessLogRotationIT {
    @TempDir
    Path dir;

    @Test
    void sigusr1AfterARenameReopensTheAccessLog() throws Exception {
        Path log = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        try (DemoBackend alpha = new DemoBackend("alpha").start("127.0.0.1", 0)) {
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
                    event-loops: 1
                    access-log: access.log
                    admin: { enabled: false }   # tests bind only ephemeral ports
                    shutdown-grace: 5s
                    """.formatted(alpha.port()));
            try (ChildProcess sb = ChildProcess.switchboardRun("switchboard", file); HttpTestClient http = new HttpTestClient()) {
                InetSocketAddress web = sb.awaitListening("app", Duration.ofSeconds(30));
                assertThat(http.get(web, "/before").statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> read(log).contains("GET /before "));

                Files.move(log, rotated);
                sb.signal("USR1");
                sb.awaitLine(l -> l.contains("reopening the access log"), Duration.ofSeconds(10));
                assertThat(http.get(web, "/after").statusCode()).isEqualTo(200);

                await().atMost(Duration.ofSeconds(10)).until(() -> read(log).contains("GET /after "));
                assertThat(read(rotated)).contains("GET /before ").doesNotContain("/after");
                assertThat(sb.isAlive()).isTrue();
                sb.signal("TERM");
                assertThat(sb.awaitExit(Duration.ofSeconds(20))).as("exit code after SIGTERM").isZero();
            }
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
