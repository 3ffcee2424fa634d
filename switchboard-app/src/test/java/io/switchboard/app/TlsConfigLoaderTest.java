package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.config.TlsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener's {@code tls} section: every key, the defaults, and every error a person can meet. */
class TlsConfigLoaderTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        for (String n : List.of("site", "other")) {
            run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", n + ".key",
                    "-out", n + ".pem", "-days", "30", "-subj", "/CN=" + n + ".test", "-addext", "subjectAltName=DNS:" + n + ".test");
        }
        run("keytool", "-genkeypair", "-alias", "x", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=old.test",
                "-startdate", "2020/01/01 00:00:00", "-validity", "2", "-keystore", "old.p12", "-storetype", "PKCS12", "-storepass", "changeit");
        run("keytool", "-exportcert", "-rfc", "-alias", "x", "-keystore", "old.p12", "-storepass", "changeit", "-file", "old.pem");
        run("sh", "-c", "openssl pkcs12 -in old.p12 -nocerts -nodes -passin pass:changeit | openssl pkey -out old.key");
        Files.writeString(dir.resolve("junk.pem"), "not a certificate\n");
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
    }

    /** A listener whose tls section starts on line 5; the file lives in the certificates' directory. */
    private static SwitchboardConfig load(String tls) throws ConfigException {
        String yaml = "listeners:\n  - port: 8443\n    default-pool: app\n    tls:\n" + tls.indent(6)
                + "pools:\n  app:\n    servers:\n      - {name: a, address: 127.0.0.1:9001}\n";
        return ConfigLoader.parse(yaml, "switchboard.yaml", dir.resolve("switchboard.yaml")).config();
    }

    private static List<String> errors(String tls) {
        return ConfigText.errors(() -> load(tls));
    }

    private static TlsConfig tls(String tls) throws ConfigException {
        return load(tls).listeners().get(0).tls();
    }

    @Test
    void everyKey() throws Exception {
        TlsConfig t = tls("""
                certificates:
                  - {cert: site.pem, key: site.key}
                  - {cert: other.pem, key: other.key, names: ["*.Example.com", www.example.org]}
                protocols: [tlsv1.3]
                ciphers: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
                client-certificates: {ca: site.pem, required: false, header: X-Subject}
                session-tickets: false
                """);
        assertThat(t).isEqualTo(new TlsConfig(List.of(
                new TlsConfig.Certificate(dir.resolve("site.pem"), dir.resolve("site.key"), List.of()),
                new TlsConfig.Certificate(dir.resolve("other.pem"), dir.resolve("other.key"), List.of("*.example.com", "www.example.org"))),
                List.of("TLSv1.3"), List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
                new TlsConfig.ClientCertificates(dir.resolve("site.pem"), false, "X-Subject"), false));
    }

    @Test
    void defaults() throws Exception {
        TlsConfig t = tls("certificates:\n  - {cert: " + dir.resolve("site.pem") + ", key: site.key}\n");
        assertThat(t.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(t.ciphers()).isEqualTo(TlsConfig.MODERN_CIPHERS);
        assertThat(t.clientCertificates()).isNull();
        assertThat(t.sessionTickets()).isTrue();
        assertThat(tls("certificates: [{cert: site.pem, key: site.key}]\nclient-certificates: {ca: site.pem}\n").clientCertificates())
                .isEqualTo(new TlsConfig.ClientCertificates(dir.resolve("site.pem"), true, "X-Client-Subject"));
        assertThat(load("certificates: [{cert: site.pem, key: site.key}]\n").listeners().get(0).tls()).isNotNull();
    }

    @Test
    void missingFile() {
        assertThat(errors("certificates:\n  - {cert: nope.pem, key: site.key}\n")).containsExactly(
                "switchboard.yaml:6: listeners[0].tls.certificates[0].cert: no such file: " + dir.resolve("nope.pem"));
    }

    @Test
    void notPem() {
        assertThat(errors("certificates:\n  - {cert: junk.pem, key: site.key}\n")).containsExactly(
                "switchboard.yaml:6: listeners[0].tls.certificates[0].cert: " + dir.resolve("junk.pem")
                        + " is not a PEM certificate (expected a '-----BEGIN CERTIFICATE-----' block)");
    }

    @Test
    void keyOfAnotherCertificate() {
        assertThat(errors("certificates:\n  - cert: site.pem\n    key: other.key\n")).containsExactly(
                "switchboard.yaml:7: listeners[0].tls.certificates[0].key: key " + dir.resolve("other.key")
                        + " does not match the certificate " + dir.resolve("site.pem")
                        + " (the certificate's public key belongs to another private key; use the key the certificate was made for)");
    }

    @Test
    void expiredCertificateSaysTheDates() {
        assertThat(errors("certificates:\n  - {cert: old.pem, key: old.key}\n")).singleElement().asString()
                .startsWith("switchboard.yaml:6: listeners[0].tls.certificates[0].cert: certificate " + dir.resolve("old.pem")
                        + " expired on 2020-01-03T00:00:00Z (valid from 2020-01-01T00:00:00Z to 2020-01-03T00:00:00Z; renew it)");
    }

    @Test
    void protocolsAndCiphersOutsideTheAllowedLists() {
        assertThat(errors("certificates: [{cert: site.pem, key: site.key}]\nprotocols: [TLSv1.1, TLSv1.2]\n"
                + "ciphers: [TLS_RSA_WITH_AES_128_CBC_SHA]\n")).containsExactly(
                "switchboard.yaml:6: listeners[0].tls.protocols: 'TLSv1.1' is not allowed (allowed: TLSv1.2, TLSv1.3;"
                        + " older versions are deprecated, RFC 8996)",
                "switchboard.yaml:7: listeners[0].tls.ciphers: 'TLS_RSA_WITH_AES_128_CBC_SHA' is not allowed (allowed: "
                        + String.join(", ", TlsConfig.MODERN_CIPHERS) + "; ECDHE with AES-GCM or ChaCha20-Poly1305; TLS 1.3 suites are always on)");
    }

    @Test
    void structureErrors() {
        assertThat(errors("protocols: [TLSv1.2]\n")).containsExactly("switchboard.yaml:5: listeners[0].tls.certificates: required key"
                + " is missing (a list of {cert: FILE, key: FILE}; the first is the default)");
        assertThat(errors("certificates: []\n")).containsExactly(
                "switchboard.yaml:5: listeners[0].tls.certificates: at least one certificate is required ({cert: FILE, key: FILE})");
        assertThat(errors("certificates: [{cert: site.pem}]\nsession-ticket: true\n")).containsExactly(
                "switchboard.yaml:5: listeners[0].tls.certificates[0].key: required key is missing (the certificate's PEM private key file)",
                "switchboard.yaml:6: listeners[0].tls.session-ticket: unknown key 'session-ticket', did you mean 'session-tickets'?"
                        + " (allowed: certificates, protocols, ciphers, client-certificates, session-tickets)");
        assertThat(errors("certificates: [{cert: site.pem, key: site.key, names: [\"bad name\"]}]\n")).containsExactly(
                "switchboard.yaml:5: listeners[0].tls.certificates[0].names: 'bad name' is not a server name (allowed: a DNS name such as"
                        + " www.example.com, or a wildcard for one label such as *.example.com)");
    }

    @Test
    void clientCertificateErrors() {
        assertThat(errors("certificates: [{cert: site.pem, key: site.key}]\nclient-certificates: {ca: junk.pem, header: Host}\n"))
                .containsExactly(
                        "switchboard.yaml:6: listeners[0].tls.client-certificates.ca: " + dir.resolve("junk.pem")
                                + " is not a PEM CA certificate (expected a '-----BEGIN CERTIFICATE-----' block)",
                        "switchboard.yaml:6: listeners[0].tls.client-certificates.header: header 'Host' is needed as the client sent it;"
                                + " name a header of its own, such as X-Client-Subject");
    }

    @Test
    void reloadAppliesTlsChangesButNotTurningTlsOnOrOff() throws Exception {
        SwitchboardConfig a = load("certificates: [{cert: site.pem, key: site.key}]\n");
        SwitchboardConfig b = load("certificates: [{cert: other.pem, key: other.key}]\nprotocols: [TLSv1.3]\n");
        assertThat(ConfigLog.listenerChange(a, b)).isNull();
        SwitchboardConfig plain = ConfigLoader.parse("listeners:\n  - port: 8443\n    default-pool: app\n"
                + "pools:\n  app:\n    servers:\n      - {name: a, address: 127.0.0.1:9001}\n", "switchboard.yaml", null).config();
        assertThat(ConfigLog.listenerChange(a, plain)).isEqualTo("listeners changed (changed 'listener-0' tls on -> off)");
    }
}
