package io.switchboard.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslProvider;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.config.TlsConfig;
import io.switchboard.proxy.ProxyFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS termination end to end on real sockets: a JDK TLS client (trusting the test CA) through the
 * proxy to a plain-text back end that records the request headers it got.
 */
class TlsIT {
    @TempDir
    Path dir;
    private TestCertificates certs;
    private HttpServer backend;
    private final BlockingQueue<Headers> seen = new LinkedBlockingQueue<>();
    private ProxyFixture f;

    @BeforeEach
    void setUp() throws Exception {
        certs = new TestCertificates(dir).ec("a", "a.test").rsa("r", "r.test", "*.r.test").ec("client");
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        backend.createContext("/", x -> {
            seen.add(x.getRequestHeaders());
            byte[] body = "ok\n".getBytes(StandardCharsets.US_ASCII);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        backend.start();
    }

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
        backend.stop(0);
    }

    private ProxyFixture start(TlsConfig tls) throws Exception {
        f = new ProxyFixture();
        f.tls = tls;
        f.start(List.of(new ServerConfig("echo", "127.0.0.1", backend.getAddress().getPort(), 1, null)));
        return f;
    }

    private TlsConfig twoCertificates(TlsConfig.ClientCertificates client) {
        return new TlsConfig(List.of(new TlsConfig.Certificate(certs.cert("a"), certs.key("a"), List.of()),
                new TlsConfig.Certificate(certs.cert("r"), certs.key("r"), List.of())), null, null, client, true);
    }

    @Test
    void getOverTlsReachesPlainBackEndWithForwardedProtoHttps() throws Exception {
        start(twoCertificates(null));
        try (Client c = connect("a.test", null)) {
            assertThat(c.get("X-Forwarded-Proto: http\r\n")).startsWith("HTTP/1.1 200");
        }
        Headers h = seen.poll(10, TimeUnit.SECONDS);
        assertThat(h.get("X-Forwarded-Proto")).containsExactly("https");
        assertThat(TlsEngine.name()).isEqualTo("BoringSSL"); // netty-tcnative loads on this platform
    }

    @Test
    void jdkEngineFallbackServesTheSame() throws Exception {
        TlsConfig config = twoCertificates(new TlsConfig.ClientCertificates(certs.ca(), false, "X-Client-Subject"));
        start(config);
        SniContexts jdk = SniContexts.build(config, Instant.now(), SslProvider.JDK);
        assertThat(jdk.contexts().get(0).isServer()).isTrue();
        assertThat(jdk.contexts().get(0)).isInstanceOf(JdkSslContext.class);
        f.proxy.tls("web").use(jdk);
        assertThat(subjectFor("www.r.test")).isEqualTo("CN=r.test");
        try (Client c = connect("a.test", clientKey(), "h2", "http/1.1")) {
            assertThat(c.socket.getApplicationProtocol()).isEqualTo("http/1.1");
            assertThat(c.get("X-Client-Subject: CN=admin\r\n")).startsWith("HTTP/1.1 200");
        }
        Headers h = seen.poll(10, TimeUnit.SECONDS);
        assertThat(h.get("X-Forwarded-Proto")).containsExactly("https");
        assertThat(h.get("X-Client-Subject")).containsExactly("CN=client");
    }

    @Test
    void sniPicksTheCertificateExactWildcardOrDefault() throws Exception {
        start(twoCertificates(null));
        assertThat(subjectFor("a.test")).isEqualTo("CN=a.test");
        assertThat(subjectFor("r.test")).isEqualTo("CN=r.test");
        assertThat(subjectFor("www.r.test")).isEqualTo("CN=r.test");
        assertThat(subjectFor("unknown.test")).isEqualTo("CN=a.test");
        assertThat(subjectFor(null)).isEqualTo("CN=a.test");
    }

    @Test
    void tls11IsRefusedAndCounted() throws Exception {
        start(twoCertificates(null));
        ListenerTls tls = f.proxy.tls("web");
        // SECLEVEL=0 lets the client itself offer TLS 1.1, so the refusal is the server's
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + f.port(), "-tls1_1",
                "-cipher", "DEFAULT:@SECLEVEL=0", "-servername", "a.test").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isNotZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> tls.handshakeFailures() == 1);
        try (Client c = connect("a.test", null)) {
            assertThat(c.socket.getSession().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
        }
        assertThat(tls.handshakeFailures()).isEqualTo(1); // counted once, though the engine reports it twice
    }

    @Test
    void alpnSelectsH2WhenOfferedAndHttp11Otherwise() throws Exception {
        start(twoCertificates(null));
        try (Client c = connect("a.test", null, "h2", "http/1.1")) {
            assertThat(c.socket.getApplicationProtocol()).isEqualTo("h2");
        }
        try (Client c = connect("a.test", null, "http/1.1")) {
            assertThat(c.socket.getApplicationProtocol()).isEqualTo("http/1.1");
            assertThat(c.get("")).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void plainTextClientIsCountedAndTheNextClientWorks() throws Exception {
        start(twoCertificates(null));
        ListenerTls tls = f.proxy.tls("web");
        try (Socket s = new Socket("127.0.0.1", f.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            for (int i = 0; i < 100_000 && in.read() >= 0; i++) {
                // drain until the proxy closes
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> tls.handshakeFailures() == 1);
        try (Client c = connect("a.test", null)) {
            assertThat(c.get("")).startsWith("HTTP/1.1 200");
        }
        assertThat(tls.handshakeFailures()).isEqualTo(1);
        assertThat(f.proxy.state().listenerCounters().of("web").tlsHandshakeFailures()).isEqualTo(1); // the metric
    }

    @Test
    void requiredClientCertificate() throws Exception {
        start(twoCertificates(new TlsConfig.ClientCertificates(certs.ca(), true, "X-Client-Subject")));
        ListenerTls tls = f.proxy.tls("web");
        Throwable refused = catchThrowable(() -> {
            try (Client c = connect("a.test", null)) {
                String r = c.get("");
                if (r.isEmpty()) throw new IOException("closed");
            }
        });
        assertThat(refused).isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> tls.handshakeFailures() == 1);

        try (Client c = connect("a.test", clientKey())) {
            assertThat(c.get("X-Client-Subject: CN=admin\r\n")).startsWith("HTTP/1.1 200");
        }
        Headers h = seen.poll(10, TimeUnit.SECONDS);
        assertThat(h.get("X-Client-Subject")).containsExactly("CN=client");
    }

    @Test
    void optionalClientCertificateRemovesAClientSentSubject() throws Exception {
        start(twoCertificates(new TlsConfig.ClientCertificates(certs.ca(), false, "X-Client-Subject")));
        try (Client c = connect("a.test", null)) {
            assertThat(c.get("X-Client-Subject: CN=admin\r\n")).startsWith("HTTP/1.1 200");
        }
        Headers h = seen.poll(10, TimeUnit.SECONDS);
        assertThat(h.get("X-Client-Subject")).isNull();
    }

    @Test
    void reloadKeepsOpenConnectionsAndServesNewHandshakesTheNewCertificate() throws Exception {
        start(twoCertificates(null));
        certs.ec("a2", "a.test");
        try (Client kept = connect("a.test", null)) {
            X509Certificate before = kept.peer();
            assertThat(kept.get("")).startsWith("HTTP/1.1 200");

            TlsConfig next = new TlsConfig(List.of(new TlsConfig.Certificate(certs.cert("a2"), certs.key("a2"), List.of())),
                    null, null, null, true);
            f.proxy.prepareTls(new SwitchboardConfig(null, List.of(f.config.listeners().get(0).withTls(next)),
                    f.config.pools(), 2, "auto", Duration.ofSeconds(5), "off")).run();

            assertThat(kept.get("")).startsWith("HTTP/1.1 200");
            try (Client fresh = connect("a.test", null)) {
                assertThat(fresh.peer()).isNotEqualTo(before);
                assertThat(fresh.peer().getPublicKey()).isEqualTo(PemFiles.keyPair(certs.cert("a2"), certs.key("a2"), Instant.now())
                        .leaf().getPublicKey());
            }
        }
    }

    // ------------------------------------------------------------------ client

    private String subjectFor(String sni) throws Exception {
        try (Client c = connect(sni, null)) {
            return c.peer().getSubjectX500Principal().getName();
        }
    }

    private KeyManager[] clientKey() throws Exception {
        PemFiles.KeyPair pair = PemFiles.keyPair(certs.cert("client"), certs.key("client"), Instant.now());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("client", pair.key(), new char[0], pair.chain().toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        return kmf.getKeyManagers();
    }

    private Client connect(String sni, KeyManager[] keys, String... alpn) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", PemFiles.certificateAuthorities(certs.ca()).get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys, tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", f.port());
        s.setSoTimeout(10_000);
        if (sni != null) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(sni)));
            s.setSSLParameters(p);
        }
        if (alpn.length > 0) {
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(alpn);
            s.setSSLParameters(p);
        }
        s.startHandshake();
        return new Client(s);
    }

    /** One kept-alive client connection: requests one at a time, responses read by Content-Length. */
    private record Client(SSLSocket socket) implements AutoCloseable {
        X509Certificate peer() throws IOException {
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }

        /** The response head and body; empty when the connection closed before a response. */
        String get(String extraHeaders) throws IOException {
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: a.test\r\n" + extraHeaders + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            for (int i = 0; i < 65_536; i++) {
                int b = in.read();
                if (b < 0) return head.toString(StandardCharsets.ISO_8859_1);
                head.write(b);
                if (head.size() >= 4 && head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) break;
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : h.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
            }
            return h + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
