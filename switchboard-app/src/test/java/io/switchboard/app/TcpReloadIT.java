package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proxy.demo.DemoBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload from the file that changes a {@code mode: tcp} listener's {@code validate}: accepted (not
 * rejected as a listener change), applied to the sessions that start after it, while a session open
 * before it goes on unvalidated.
 */
class TcpReloadIT {
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    @TempDir
    Path dir;

    private DemoBackend alpha;
    private Switchboard switchboard;

    @AfterEach
    void stop() {
        if (switchboard != null) switchboard.close();
        if (alpha != null) alpha.close();
    }

    private void write(Path file, String listenerExtra) throws IOException {
        Files.writeString(file, """
                listeners:
                  - name: relay
                    mode: tcp
                    address: 127.0.0.1
                    port: 0
                    default-pool: app
                %s
                pools:
                  app:
                    servers:
                      - { name: alpha, address: 127.0.0.1:%d }
                watch-config: false
                access-log: off
                """.formatted(listenerExtra, alpha.port()));
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", switchboard.boundAddress("relay").getPort()), 5000);
        s.setSoTimeout(20_000);
        return s;
    }

    private static String request(Socket s) throws IOException {
        s.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("alpha\n") && sb.length() < 65536) {
            int c = in.read();
            if (c < 0) break;
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void aReloadThatTurnsOnALineValidatorChecksOnlyNewSessions() throws Exception {
        alpha = new DemoBackend("alpha").start("127.0.0.1", 0);
        Path file = dir.resolve("switchboard.yaml");
        write(file, "");
        switchboard = Switchboard.start(ConfigLoader.load(file).config());
        try (Socket before = open()) {
            assertThat(request(before)).startsWith("HTTP/1.1 200");
            write(file, """
                        validate: line
                        first-words: [PING]
                        error-line: "-ERR refused\\r\\n"
                    """);
            switchboard.reload(ConfigLoader.load(file).config());
            try (Socket after = open()) {
                after.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(after.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("-ERR refused\r\n");
            }
            assertThat(request(before)).as("the session from before the reload").startsWith("HTTP/1.1 200");
        }
    }
}
