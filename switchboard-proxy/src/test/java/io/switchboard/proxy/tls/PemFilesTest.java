package io.switchboard.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.security.PrivateKey;
import java.util.ArrayList;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import io.switchboard.config.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks on certificate and key files, with the messages a person reads; files made by openssl. */
class PemFilesTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;

    @BeforeAll
    static void make() throws Exception {
        certs = new TestCertificates(dir).ec("a", "a.test", "*.a.test").rsa("r", "r.test").ec("cn-only").expired("old");
    }

    private static PemFiles.KeyPair load(Path cert, Path key) {
        return PemFiles.keyPair(cert, key, Instant.now());
    }

    @Test
    void ecdsaAndRsaPairsLoad() {
        assertThat(load(certs.cert("a"), certs.key("a")).key().getAlgorithm()).isEqualTo("EC");
        assertThat(load(certs.cert("r"), certs.key("r")).key().getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void namesComeFromTheSubjectAltNameElseTheCn() {
        assertThat(PemFiles.names(load(certs.cert("a"), certs.key("a")).leaf())).containsExactly("a.test", "*.a.test");
        assertThat(PemFiles.names(load(certs.cert("cn-only"), certs.key("cn-only")).leaf())).containsExactly("cn-only");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> load(dir.resolve("nope.pem"), certs.key("a")))
                .isInstanceOf(TlsSetupException.class).hasMessage("no such file: " + dir.resolve("nope.pem"))
                .extracting(e -> ((TlsSetupException) e).part()).isEqualTo(TlsSetupException.Part.CERT);
    }

    @Test
    void devicesAndDirectoriesAreNotRead() {
        assertThatThrownBy(() -> load(Path.of("/dev/zero"), certs.key("a"))).hasMessage("/dev/zero is not a regular file (give a PEM file)");
        assertThatThrownBy(() -> load(certs.cert("a"), dir)).hasMessage(dir + " is not a regular file (give a PEM file)");
    }

    @Test
    void notPemAndSwappedFilesAreSaidSo() throws Exception {
        Path junk = certs.write("junk.pem", "hello\n");
        assertThatThrownBy(() -> load(junk, certs.key("a"))).hasMessageContaining("is not a PEM certificate");
        assertThatThrownBy(() -> load(certs.key("a"), certs.cert("a"))).hasMessageContaining("swap cert and key?");
    }

    @Test
    void aKeyOfAnotherCertificateDoesNotMatch() {
        assertThatThrownBy(() -> load(certs.cert("a"), certs.key("cn-only")))
                .hasMessage("key " + certs.key("cn-only") + " does not match the certificate " + certs.cert("a")
                        + " (the certificate's public key belongs to another private key; use the key the certificate was made for)")
                .extracting(e -> ((TlsSetupException) e).part()).isEqualTo(TlsSetupException.Part.KEY);
        assertThatThrownBy(() -> load(certs.cert("a"), certs.key("r"))).hasMessageContaining("does not match");
    }

    @Test
    void openSslKeysNameTheirPublicKeySoNoSignatureIsNeeded() {
        var a = load(certs.cert("a"), certs.key("a"));
        var r = load(certs.cert("r"), certs.key("r"));
        var other = load(certs.cert("cn-only"), certs.key("cn-only"));
        // openssl writes the EC public point into the PKCS#8 key; RSA keys carry modulus and exponent
        assertThat(PemFiles.namedMatch(a.key(), a.leaf().getPublicKey())).isTrue();
        assertThat(PemFiles.namedMatch(r.key(), r.leaf().getPublicKey())).isTrue();
        assertThat(PemFiles.namedMatch(other.key(), a.leaf().getPublicKey())).isFalse();
        assertThat(PemFiles.namedMatch(a.key(), other.leaf().getPublicKey())).isFalse();
    }

    @Test
    void anEcKeyWithoutItsPublicPointIsCheckedBySigning() throws Exception {
        // the JDK encodes an EC private key without its public point: the slow check decides
        var gen = java.security.KeyPairGenerator.getInstance("EC");
        gen.initialize(256);
        var mine = gen.generateKeyPair();
        var theirs = gen.generateKeyPair();
        assertThat(Der.ecPublicPoint(mine.getPrivate().getEncoded())).isNull();
        assertThat(PemFiles.namedMatch(mine.getPrivate(), mine.getPublic())).isNull();
        assertThat(PemFiles.matches(mine.getPrivate(), mine.getPublic())).isTrue();
        assertThat(PemFiles.matches(mine.getPrivate(), theirs.getPublic())).isFalse();
    }

    @Test
    void derReadingNeverThrowsOnGarbageOrTruncation() throws Exception {
        byte[] key = load(certs.cert("a"), certs.key("a")).key().getEncoded();
        byte[] spki = load(certs.cert("a"), certs.key("a")).leaf().getPublicKey().getEncoded();
        assertThat(Der.ecPublicPoint(key)).isEqualTo(Der.subjectPublicKey(spki)).hasSize(65);
        for (int n = 0; n < key.length; n++) {
            assertThat(Der.ecPublicPoint(java.util.Arrays.copyOf(key, n))).isNull();
        }
        var random = new java.util.Random(20_261_204);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = key.clone();
            junk[random.nextInt(junk.length)] = (byte) random.nextInt(256);
            Der.ecPublicPoint(junk);
            Der.subjectPublicKey(junk);
            byte[] noise = new byte[random.nextInt(200)];
            random.nextBytes(noise);
            Der.ecPublicPoint(noise);
            Der.subjectPublicKey(noise);
        }
    }

    @Test
    void aChangedFileIsReadAgainNotTakenFromTheMemo() throws Exception {
        Path cert = certs.write("swap.pem", Files.readString(certs.cert("a")));
        Path key = certs.write("swap.key", Files.readString(certs.key("a")));
        var first = load(cert, key);
        assertThat(load(cert, key)).isSameAs(first);
        Files.writeString(key, Files.readString(certs.key("cn-only")));
        assertThatThrownBy(() -> load(cert, key)).hasMessageContaining("does not match");
        Files.writeString(cert, Files.readString(certs.cert("cn-only")));
        assertThat(load(cert, key).leaf()).isNotEqualTo(first.leaf());
    }

    @Test
    void anExpiredCertificateSaysItsDates() {
        assertThatThrownBy(() -> load(certs.cert("old"), certs.key("old")))
                .hasMessageStartingWith("certificate " + certs.cert("old") + " expired on ")
                .hasMessageContaining("valid from ");
    }

    @Test
    void aCertificateNotYetValidSaysSo() {
        assertThatThrownBy(() -> PemFiles.keyPair(certs.cert("a"), certs.key("a"), Instant.parse("2000-01-01T00:00:00Z")))
                .hasMessageContaining("is not valid yet");
    }

    @Test
    void aTraditionalFormatKeyGetsTheConversionCommand() throws Exception {
        Path sec1 = certs.write("sec1.key", Files.readString(certs.key("a"))
                .replace("BEGIN PRIVATE KEY", "BEGIN EC PRIVATE KEY").replace("END PRIVATE KEY", "END EC PRIVATE KEY"));
        assertThatThrownBy(() -> load(certs.cert("a"), sec1)).hasMessageContaining("traditional EC format")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void sniContextsMapExactWildcardAndDefault() {
        TlsConfig c = new TlsConfig(List.of(new TlsConfig.Certificate(certs.cert("r"), certs.key("r"), List.of()),
                new TlsConfig.Certificate(certs.cert("a"), certs.key("a"), List.of("*.example.com"))), null, null, null, true);
        SniContexts s = SniContexts.build(c, Instant.now());
        assertThat(s.forName("x.example.com")).isSameAs(s.contexts().get(1));
        assertThat(s.forName("a.test")).isSameAs(s.contexts().get(0)); // names listed replace the SAN ones
        assertThat(s.forName("r.test")).isSameAs(s.contexts().get(0));
        assertThat(s.forName(null)).isSameAs(s.contexts().get(0));
    }

    @Test
    void theCheckedContextIsHandedToTheStartOnceAndOnlyForTheSameSettings() throws Exception {
        Path cert = certs.write("handoff.pem", Files.readString(certs.cert("a")));
        Path key = certs.write("handoff.key", Files.readString(certs.key("a")));
        TlsConfig c = new TlsConfig(List.of(new TlsConfig.Certificate(cert, key, List.of())), null, null, null, true);
        var checked = SniContexts.check(c, null, c.certificates().get(0), Instant.now(), SniContexts.ALPN_HTTP1);
        SniContexts start = SniContexts.build(c, Instant.now(), SniContexts.ALPN_HTTP1);
        assertThat(start.contexts().get(0)).isSameAs(checked);
        // taken once: a second listener with the same settings gets its own (its own ticket keys)
        assertThat(SniContexts.build(c, Instant.now(), SniContexts.ALPN_HTTP1).contexts().get(0)).isNotSameAs(checked);
        // another ALPN, or a key file changed since the check: built anew
        var checked2 = SniContexts.check(c, null, c.certificates().get(0), Instant.now(), SniContexts.ALPN_HTTP1);
        assertThat(SniContexts.build(c, Instant.now(), SniContexts.ALPN).contexts().get(0)).isNotSameAs(checked2);
        var checked3 = SniContexts.check(c, null, c.certificates().get(0), Instant.now(), SniContexts.ALPN_HTTP1);
        Files.writeString(cert, Files.readString(certs.cert("cn-only")));
        Files.writeString(key, Files.readString(certs.key("cn-only")));
        assertThat(SniContexts.build(c, Instant.now(), SniContexts.ALPN_HTTP1).contexts().get(0)).isNotSameAs(checked3);
    }

    @Test
    void theCheckTakesTheClientCasItIsGivenAndTheStartReadsTheCaFileAgain() throws Exception {
        Path ca = certs.write("handoff-ca.pem", Files.readString(certs.ca()));
        TlsConfig c = new TlsConfig(List.of(new TlsConfig.Certificate(certs.cert("a"), certs.key("a"), List.of())), null, null,
                new TlsConfig.ClientCertificates(ca, true, TlsConfig.DEFAULT_CLIENT_SUBJECT_HEADER), true);
        List<X509Certificate> cas = PemFiles.certificateAuthorities(ca);
        assertThatThrownBy(() -> SniContexts.check(c, null, c.certificates().get(0), Instant.now(), SniContexts.ALPN_HTTP1))
                .isInstanceOf(IllegalArgumentException.class);
        var checked = SniContexts.check(c, cas, c.certificates().get(0), Instant.now(), SniContexts.ALPN_HTTP1);
        assertThat(SniContexts.build(c, Instant.now(), SniContexts.ALPN_HTTP1).contexts().get(0)).isSameAs(checked);
        // the CA file changed since the check (a reload racing an edit): the start's own read notices
        var checked2 = SniContexts.check(c, cas, c.certificates().get(0), Instant.now(), SniContexts.ALPN_HTTP1);
        Files.writeString(ca, Files.readString(certs.cert("r")));
        assertThat(SniContexts.build(c, Instant.now(), SniContexts.ALPN_HTTP1).contexts().get(0)).isNotSameAs(checked2);
    }

    @Test
    void aListenerWithoutClientCertificatesTrustsNoCa() {
        // the JDK's default trust (what Netty takes when given none) accepts ~140 issuers from cacerts
        var managers = TrustingNothing.FACTORY.getTrustManagers();
        assertThat(managers).singleElement().isInstanceOf(X509TrustManager.class);
        X509TrustManager tm = (X509TrustManager) managers[0];
        assertThat(tm.getAcceptedIssuers()).isEmpty();
        X509Certificate self = load(certs.cert("a"), certs.key("a")).chain().get(0);
        assertThatThrownBy(() -> tm.checkClientTrusted(new X509Certificate[] {self}, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void aListenerWithoutClientCertificatesNamesNoCaWhenAClientCertificateIsAsked() throws Exception {
        // Forced to ask for a client certificate, a server engine names its trust's CAs to the client:
        // none from SniContexts' context (the JDK's default trust would name the ~140 of cacerts).
        TlsConfig c = new TlsConfig(List.of(new TlsConfig.Certificate(certs.cert("a"), certs.key("a"), List.of())), null, null, null, true);
        SslContext context = SniContexts.build(c, Instant.now(), SniContexts.ALPN_HTTP1).contexts().get(0);
        SSLEngine server = context.newEngine(ByteBufAllocator.DEFAULT);
        server.setNeedClientAuth(true);
        List<Principal[]> named = new ArrayList<>();
        SSLContext jdk = SSLContext.getInstance("TLS");
        jdk.init(new KeyManager[] {new RecordingKeyManager(named)}, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        SSLEngine client = jdk.createSSLEngine("a.test", 443);
        client.setUseClientMode(true);
        try {
            handshake(client, server);
        } finally {
            ReferenceCountUtil.release(server);
        }
        assertThat(named).as("the client was asked for a certificate").isNotEmpty();
        assertThat(named.get(0) == null ? new Principal[0] : named.get(0)).isEmpty();
    }

    /** Runs a handshake in memory until it finishes or fails (here it fails: the client has no certificate). */
    private static void handshake(SSLEngine client, SSLEngine server) throws Exception {
        ByteBuffer toServer = ByteBuffer.allocate(1 << 17), toClient = ByteBuffer.allocate(1 << 17);
        ByteBuffer app = ByteBuffer.allocate(1 << 17), nothing = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        try {
            for (int i = 0; i < 20; i++) {
                client.wrap(nothing, toServer);
                tasks(client);
                toServer.flip();
                server.unwrap(toServer, app);
                toServer.compact();
                tasks(server);
                server.wrap(nothing, toClient);
                tasks(server);
                toClient.flip();
                client.unwrap(toClient, app);
                toClient.compact();
                tasks(client);
                app.clear();
                if (client.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                        && server.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) return;
            }
        } catch (SSLException expected) {
            // no client certificate: one side refuses; what the client was told is recorded by then
        }
    }

    private static void tasks(SSLEngine e) {
        for (Runnable t; (t = e.getDelegatedTask()) != null; ) t.run();
    }

    /** Has no certificate; records the CA names a server sent with its certificate request. */
    private static final class RecordingKeyManager extends X509ExtendedKeyManager {
        private final List<Principal[]> named;

        RecordingKeyManager(List<Principal[]> named) {
            this.named = named;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            named.add(issuers);
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            named.add(issuers);
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return null;
        }
    }

    @Test
    void handshakeFailuresAreOneShortLine() {
        assertThat(ListenerTls.describe(new SSLHandshakeException(
                "error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL"))).isEqualTo("unsupported protocol");
        assertThat(TlsHandshakeObserver.headerSafe("CN=J\u00f6rg\n")).isEqualTo("CN=J\\C3\\B6rg\\0A");
    }
}
