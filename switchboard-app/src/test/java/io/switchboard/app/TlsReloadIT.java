package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proxy.demo.DemoBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running Switchboard reloads its TLS certificate from the file (as SIGHUP does): a kept-alive
 * connection goes on working, a new connection gets the new certificate; an unusable file leaves the
 * running certificate in force.
 */
class TlsReloadIT {
    @TempDir
    Path dir;
    private DemoBackend backend;
    private Switchboard switchboard;

    @BeforeEach
    void start() throws Exception {
        for (String n : new String[] {"one", "two"}) {
            run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", n + ".key",
                    "-out", n + ".pem", "-days", "30", "-subj", "/CN=" + n, "-addext", "subjectAltName=DNS:localhost");
        }
        copy("one", "site");
        backend = new DemoBackend("alpha").start("127.0.0.1", 0);
        Files.writeString(dir.resolve("switchboard.yaml"), """
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: 0
                    default-pool: app
                    tls:
                      certificates:
                        - {cert: site.pem, key: site.key}
                pools:
                  app:
                    servers:
                      - {name: alpha, address: 127.0.0.1:%d}
                event-loops: 1
                access-log: off
                shutdown-grace: 1s
                watch-config: false
                admin:
                  enabled: false
                """.formatted(backend.port()));
        switchboard = Switchboard.start(ConfigLoader.load(dir.resolve("switchboard.yaml")).config());
    }

    @AfterEach
    void stop() {
        if (switchboard != null) switchboard.close();
        if (backend != null) backend.close();
    }

    @Test
    void renewedCertificateFilesAreUsedForNewHandshakesOnly() throws Exception {
        try (SSLSocket kept = connect()) {
            assertThat(subject(kept)).isEqualTo("CN=one");
            assertThat(get(kept)).startsWith("HTTP/1.1 200");

            copy("two", "site");
            assertThat(switchboard.reloadFromSource("test").applied()).isTrue();

            assertThat(get(kept)).startsWith("HTTP/1.1 200");
            try (SSLSocket fresh = connect()) {
                assertThat(subject(fresh)).isEqualTo("CN=two");
                assertThat(get(fresh)).startsWith("HTTP/1.1 200");
            }
        }
    }

    @Test
    void anUnusableFileKeepsTheRunningCertificate() throws Exception {
        Files.copy(dir.resolve("two.key"), dir.resolve("site.key"), StandardCopyOption.REPLACE_EXISTING); // not site.pem's key
        var outcome = switchboard.reloadFromSource("test");
        assertThat(outcome.applied()).isFalse();
        assertThat(outcome.errors()).singleElement().asString().contains("listeners[0].tls.certificates[0].key: key ")
                .contains("does not match the certificate");
        try (SSLSocket s = connect()) {
            assertThat(subject(s)).isEqualTo("CN=one");
        }
    }

    private void copy(String from, String to) throws IOException {
        Files.copy(dir.resolve(from + ".pem"), dir.resolve(to + ".pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve(from + ".key"), dir.resolve(to + ".key"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Trusts both test certificates (each is its own issuer). */
    private SSLSocket connect() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (String n : new String[] {"one", "two"}) {
            try (InputStream in = Files.newInputStream(dir.resolve(n + ".pem"))) {
                trust.setCertificateEntry(n, cf.generateCertificate(in));
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", switchboard.boundAddress("web").getPort());
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static String subject(SSLSocket s) throws IOException {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    /** One request on the connection; the response read by its Content-Length. */
    private static String get(SSLSocket s) throws IOException {
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (int i = 0; i < 65_536; i++) {
            int b = in.read();
            if (b < 0) break;
            head.write(b);
            if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) break;
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        return h + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
    }
}
