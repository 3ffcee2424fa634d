package io.switchboard.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.demo.DemoBackend;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pool's {@code backend-idle-timeout}, enforced by the event loop's tick: a pooled keep-alive
 * connection is closed once idle that long, and a back end that goes quiet in the middle of a
 * response has its client connection cut (the response cannot be replaced by an error any more).
 */
class BackendIdleIT {
    @Test
    void aPooledConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.backendIdle = Duration.ofMillis(300);
            f.start();
            DemoBackend alpha = f.backends.get(0);
            assertThat(f.get("/").statusCode()).isEqualTo(200);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (alpha.openConnections() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(alpha.openConnections()).as("back-end connections still open after the idle timeout").isZero();
            assertThat(f.get("/").statusCode()).as("a new connection is opened for the next request").isEqualTo(200);
        }
    }

    @Test
    void aBackEndQuietMidResponseHasTheClientConnectionCut() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend(); ProxyFixture f = new ProxyFixture()) {
            backend.reply("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it", true);
            f.backendIdle = Duration.ofMillis(300);
            f.retries = 0;
            f.passive = new PassiveHealthConfig(0, false, Duration.ofSeconds(10), Duration.ofSeconds(10));
            f.start(List.of(new ServerConfig("raw", "127.0.0.1", backend.port(), 1, null)));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", f.port()), 5000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = s.getInputStream();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) >= 0) got.write(buf, 0, n); // ends when the proxy closes
                assertThat(got.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 OK").endsWith("only part of it");
            }
            assertThat(f.accessLog).singleElement().satisfies(r -> assertThat(r.cause()).isEqualTo("raw idle mid-response for 300 ms"));
        }
    }
}
