package io.switchboard.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.TlsConfig;
import io.switchboard.proxy.ProxyFixture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session resumption, seen by {@code openssl s_client} ({@code -sess_out}, then {@code -sess_in}
 * and "Reused" or "New" in its output): tickets under TLS 1.3 and 1.2, a ticket still accepted after
 * one key rotation and refused after two, the session cache when tickets are off.
 */
class SessionResumptionIT {
    @TempDir
    Path dir;
    private TestCertificates certs;
    private HttpServer backend;
    private ProxyFixture f;

    @BeforeEach
    void setUp() throws Exception {
        certs = new TestCertificates(dir).ec("a", "a.test");
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        backend.createContext("/", x -> {
            x.sendResponseHeaders(200, 3);
            x.getResponseBody().write("ok\n".getBytes(StandardCharsets.US_ASCII));
            x.close();
        });
        backend.start();
    }

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
        backend.stop(0);
    }

    private void start(boolean tickets) throws Exception {
        f = new ProxyFixture();
        f.tls = new TlsConfig(List.of(new TlsConfig.Certificate(certs.cert("a"), certs.key("a"), List.of())), null, null, null, tickets);
        f.start(List.of(new ServerConfig("b", "127.0.0.1", backend.getAddress().getPort(), 1, null)));
    }

    @Test
    void tls13TicketSurvivesOneRotationNotTwo() throws Exception {
        start(true);
        assertThat(connect("-tls1_3", "-sess_out")).contains("New, TLSv1.3");
        assertThat(connect("-tls1_3", "-sess_in")).contains("Reused, TLSv1.3");
        f.proxy.tls("web").rotateTicketKeys();
        assertThat(connect("-tls1_3", "-sess_in")).contains("Reused, TLSv1.3");
        f.proxy.tls("web").rotateTicketKeys();
        assertThat(connect("-tls1_3", "-sess_in")).contains("New, TLSv1.3");
    }

    @Test
    void tls12ResumesByTicket() throws Exception {
        start(true);
        assertThat(connect("-tls1_2", "-sess_out")).contains("New, TLSv1.2");
        assertThat(connect("-tls1_2", "-sess_in")).contains("Reused, TLSv1.2");
    }

    @Test
    void withoutTicketsTls12ResumesFromTheSessionCache() throws Exception {
        start(false);
        String first = connect("-tls1_2", "-sess_out");
        assertThat(first).contains("New, TLSv1.2");
        assertThat(connect("-tls1_2", "-sess_in")).contains("Reused, TLSv1.2");
    }

    /** One request with Connection: close (so s_client -ign_eof ends when the proxy closes), the session saved or reused. */
    private String connect(String protocol, String sessionFlag) throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + f.port(), "-servername", "a.test",
                protocol, "-ign_eof", sessionFlag, dir.resolve("session.pem").toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        assertThat(out).as("s_client output").contains("HTTP/1.1 200");
        return out;
    }
}
