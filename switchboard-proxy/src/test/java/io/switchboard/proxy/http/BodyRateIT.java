package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proxy.ProxyFixture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Slowloris on request bodies: a trickling body gets 408; a steady one goes through. */
class BodyRateIT {

    @Test
    void tricklingBodyIs408AndTheBackendIsNotBlamed() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.minBodyRate = 1000;
            f.bodyRateWindow = Duration.ofMillis(300);
            f.start();
            try (Socket s = new Socket("127.0.0.1", f.port())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n0123456789".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                InputStream in = s.getInputStream();
                String resp = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1); // the proxy closes
                assertThat(resp).startsWith("HTTP/1.1 408").contains("request body too slow");
            }
            assertThat(f.accessLog).anySatisfy(r -> {
                assertThat(r.status()).isEqualTo(408);
                assertThat(r.cause()).contains("request body slower than 1000 bytes/s");
            });
            assertThat(f.pool.snapshot().backends().member("alpha").backend().consecutiveFailures()).isZero();
        }
    }

    @Test
    void steadyBodyAboveTheRateGoesThrough() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.minBodyRate = 1000;
            f.bodyRateWindow = Duration.ofMillis(300);
            f.start();
            try (Socket s = new Socket("127.0.0.1", f.port())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                int chunks = 8, size = 2000;
                out.write(("POST /upload HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: " + chunks * size + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                for (int i = 0; i < chunks; i++) { // ~2000 bytes every 100 ms: well above 1000 B/s
                    out.write(new byte[size]);
                    out.flush();
                    Thread.sleep(100);
                }
                String resp = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(resp).startsWith("HTTP/1.1 200").endsWith(chunks * size + "\n");
            }
        }
    }
}
