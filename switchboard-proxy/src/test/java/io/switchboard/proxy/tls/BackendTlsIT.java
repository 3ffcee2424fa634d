package io.switchboard.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.backend.Backend;
import io.switchboard.config.BackendTlsConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.probe.HttpProbe;
import io.switchboard.proxy.probe.ProbeResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from the proxy to its back ends on real sockets: a JDK TLS back end (a certificate from the
 * test CA) that records the SNI it was sent and counts its connections (one handshake each).
 */
class BackendTlsIT {
    @TempDir
    Path dir;
    private ProxyFixture f;
    private final List<TlsBackend> backends = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        if (f != null) f.close();
        for (TlsBackend b : backends) b.close();
    }

    @Test
    void requestsPassToAVerifiedBackEndWithTheConfiguredSniOnOneKeptAliveConnection() throws Exception {
        TestCertificates certs = new TestCertificates(dir).ec("b", "internal.test");
        TlsBackend b = backend(certs, "b");
        start(new BackendTlsConfig(certs.ca(), "internal.test", true), b);

        HttpResponse<String> first = f.get("/one");
        HttpResponse<String> second = f.get("/two");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("GET /one");
        assertThat(second.body()).isEqualTo("GET /two");
        assertThat(b.sni).containsExactly("internal.test");
        assertThat(b.connections.get()).isEqualTo(1);
    }

    @Test
    void untrustedBackEndCertificateIs503WithTheCause() throws Exception {
        TestCertificates other = new TestCertificates(Files.createDirectory(dir.resolve("other"))).ec("b", "internal.test");
        TestCertificates trusted = new TestCertificates(Files.createDirectory(dir.resolve("trusted")));
        TlsBackend b = backend(other, "b");
        start(new BackendTlsConfig(trusted.ca(), "internal.test", true), b);

        assertThat(f.get("/").statusCode()).isEqualTo(503);
        AccessRecord r = await().atMost(Duration.ofSeconds(10)).until(() -> f.accessLog.isEmpty() ? null : f.accessLog.get(0),
                x -> x != null);
        assertThat(r.cause()).contains("connect to b0 (127.0.0.1:" + b.port() + ") failed: TLS handshake failed: certificate not trusted");
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        TestCertificates certs = new TestCertificates(dir).ec("b", "internal.test");
        TlsBackend b = backend(certs, "b");
        start(new BackendTlsConfig(certs.ca(), "elsewhere.test", true), b);

        assertThat(f.get("/").statusCode()).isEqualTo(503);
        assertThat(b.sni).contains("elsewhere.test");
        AccessRecord r = await().atMost(Duration.ofSeconds(10)).until(() -> f.accessLog.isEmpty() ? null : f.accessLog.get(0),
                x -> x != null);
        assertThat(r.cause()).contains("TLS handshake failed");
    }

    @Test
    void withoutSniAServerGivenByAddressIsCheckedAgainstThatAddress() throws Exception {
        TestCertificates certs = new TestCertificates(dir).ec("b", "internal.test");
        TlsBackend b = backend(certs, "b");
        start(new BackendTlsConfig(certs.ca(), null, true), b);

        assertThat(f.get("/").statusCode()).isEqualTo(503); // the certificate names internal.test, not 127.0.0.1
        assertThat(b.sni).isEmpty();
    }

    @Test
    void aFailedHandshakeIsRetriedOnAnotherBackEnd() throws Exception {
        TestCertificates certs = new TestCertificates(dir).ec("good", "internal.test");
        TestCertificates other = new TestCertificates(Files.createDirectory(dir.resolve("other"))).ec("bad", "internal.test");
        TlsBackend bad = backend(other, "bad");
        TlsBackend good = backend(certs, "good");
        start(new BackendTlsConfig(certs.ca(), "internal.test", true), bad, good);

        for (int i = 0; i < 4; i++) {
            assertThat(f.get("/" + i).statusCode()).isEqualTo(200);
        }
        assertThat(bad.connections.get()).isPositive();
    }

    @Test
    void verifyFalseAcceptsAnUntrustedCertificate() throws Exception {
        TestCertificates other = new TestCertificates(dir).ec("b", "internal.test");
        TlsBackend b = backend(other, "b");
        start(new BackendTlsConfig(null, null, false), b);

        assertThat(f.get("/x").body()).isEqualTo("GET /x");
        assertThat(b.sni).isEmpty(); // an IP address is not sent as SNI
    }

    @Test
    void aReloadThatChangesThePoolsTlsDoesNotReuseOldConnections() throws Exception {
        TestCertificates certs = new TestCertificates(dir).ec("b", "internal.test", "other.test");
        TlsBackend b = backend(certs, "b");
        start(new BackendTlsConfig(certs.ca(), "internal.test", true), b);
        assertThat(f.get("/one").statusCode()).isEqualTo(200);

        PoolConfig next = f.poolConfig.withTls(new BackendTlsConfig(certs.ca(), "other.test", true));
        f.proxy.update(new SwitchboardConfig(null, f.config.listeners(), Map.of("app", next), 2, "auto", Duration.ofSeconds(5), "off"),
                Map.of("app", f.pool));
        assertThat(f.get("/two").statusCode()).isEqualTo(200);

        assertThat(b.sni).containsExactly("internal.test", "other.test");
        assertThat(b.connections.get()).isEqualTo(2);
    }

    @Test
    void httpHealthProbesSpeakThePoolsTls() throws Exception {
        TestCertificates certs = new TestCertificates(dir).ec("b", "internal.test");
        TestCertificates other = new TestCertificates(Files.createDirectory(dir.resolve("other"))).ec("b", "internal.test");
        TlsBackend good = backend(certs, "b");
        TlsBackend bad = backend(other, "b");
        BackendTlsConfig tls = new BackendTlsConfig(certs.ca(), "internal.test", true);
        start(tls, good);
        HealthCheckConfig http = new HealthCheckConfig(HealthCheckConfig.Type.HTTP, "GET", "/health", null, 200, 399,
                Duration.ofMillis(100), Duration.ofSeconds(5), 0.1, 2, 3);
        HttpProbe probe = new HttpProbe(http, f.transport, f.group, f.resolvers, tls);

        ProbeResult ok = probe.probe(new Backend("app", "b0", "127.0.0.1", good.port())).get(10, TimeUnit.SECONDS);
        ProbeResult refused = probe.probe(new Backend("app", "b1", "127.0.0.1", bad.port())).get(10, TimeUnit.SECONDS);

        assertThat(ok.ok()).as(ok.detail()).isTrue();
        assertThat(good.requests).contains("GET /health HTTP/1.1");
        assertThat(refused.ok()).isFalse();
    }

    private void start(BackendTlsConfig tls, TlsBackend... bs) throws Exception {
        f = new ProxyFixture();
        f.backendTls = tls;
        List<ServerConfig> servers = new ArrayList<>();
        for (int i = 0; i < bs.length; i++) servers.add(new ServerConfig("b" + i, "127.0.0.1", bs[i].port(), 1, null));
        f.start(servers);
    }

    private TlsBackend backend(TestCertificates certs, String name) throws Exception {
        TlsBackend b = new TlsBackend(certs.cert(name), certs.key(name));
        backends.add(b);
        return b;
    }

    /** A blocking HTTP/1.1 keep-alive server over JDK TLS that answers "METHOD PATH"; a thread per connection. */
    static final class TlsBackend implements AutoCloseable {
        final List<String> sni = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final SSLServerSocket server;

        TlsBackend(Path cert, Path key) throws Exception {
            PemFiles.KeyPair pair = PemFiles.keyPair(cert, key, Instant.now());
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("k", pair.key(), new char[0], pair.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 16, InetAddress.getLoopbackAddress());
            SSLParameters params = server.getSSLParameters();
            // Records the name before the certificate is checked, so a refused handshake still shows it.
            params.setSNIMatchers(List.of(new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
                @Override
                public boolean matches(SNIServerName name) {
                    sni.add(((SNIHostName) name).getAsciiName());
                    return true;
                }
            }));
            server.setSSLParameters(params);
            Thread t = new Thread(this::accept, "tls-backend");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    SSLSocket s = (SSLSocket) server.accept();
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> serve(s), "tls-backend-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void serve(SSLSocket s) {
            try (s) {
                s.setSoTimeout(30_000);
                s.startHandshake();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                for (int n = 0; n < 100; n++) {
                    String line = in.readLine();
                    if (line == null) return;
                    requests.add(line);
                    String[] parts = line.split(" ");
                    String h;
                    do {
                        h = in.readLine();
                    } while (h != null && !h.isEmpty());
                    byte[] body = (parts[0] + " " + parts[1]).getBytes(StandardCharsets.ISO_8859_1);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body);
                    out.flush();
                }
            } catch (SocketException e) {
                // the proxy closed the connection
            } catch (IOException e) {
                // a failed handshake: what the tests of untrusted certificates cause
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
