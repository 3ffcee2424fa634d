package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.ListenerConfig;
import io.switchboard.config.TcpValidateConfig;
import io.switchboard.proxy.ProxyFixture;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code validate: http} on a {@code mode: tcp} listener, on real sockets: the connection is handed to
 * the HTTP path, so well-formed requests are proxied (each on its own, round robin) and framing attacks
 * and garbage get the HTTP path's 400 instead of reaching a server as opaque bytes.
 */
class ValidateHttpIT {
    private final ProxyFixture f = new ProxyFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private void start() throws Exception {
        f.mode = ListenerConfig.Mode.TCP;
        f.validate = TcpValidateConfig.HTTP;
        f.backends("a", "b").start();
    }

    @Test
    void wellFormedRequestsAreProxiedOneByOne() throws Exception {
        start();
        String two = f.raw("GET /x HTTP/1.1\r\nHost: t\r\n\r\nGET /y HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                Duration.ofSeconds(10));
        assertThat(two).startsWith("HTTP/1.1 200");
        // One connection, two requests, two servers: dispatched per request, not bound like a TCP session.
        assertThat(f.backends.get(0).requestCount() + f.backends.get(1).requestCount()).isEqualTo(2L);
        assertThat(f.backends.get(0).requestCount()).isEqualTo(1L);
        assertThat(f.proxy.state().sessions().size()).isZero();
    }

    @Test
    void smugglingAndGarbageGetA400AndReachNoServer() throws Exception {
        start();
        String smuggle = f.raw("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: t\r\n\r\n", Duration.ofSeconds(10));
        assertThat(smuggle).startsWith("HTTP/1.1 400");
        String garbage = f.raw("\u0016\u0003\u0001 hello, not http\r\n\r\n", Duration.ofSeconds(10));
        assertThat(garbage).startsWith("HTTP/1.1 400");
        assertThat(f.backends.get(0).requestCount() + f.backends.get(1).requestCount()).isZero();
    }
}
