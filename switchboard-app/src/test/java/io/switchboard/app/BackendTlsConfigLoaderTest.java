package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.BackendTlsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pool's {@code tls} section (TLS to its back ends): every key, the defaults, and the errors a person can meet. */
class BackendTlsConfigLoaderTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Backend CA")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("openssl: " + out);
        Files.writeString(dir.resolve("junk.pem"), "not a certificate\n");
    }

    /** Pool app's tls value is on line 8; the file lives in the CA's directory. */
    private static LoadedConfig load(String tls) throws ConfigException {
        String yaml = "listeners:\n  - port: 8080\n    default-pool: app\npools:\n  app:\n    servers:\n"
                + "      - {name: a, address: 127.0.0.1:9001}\n    tls: " + tls + "\n";
        return ConfigLoader.parse(yaml, "switchboard.yaml", dir.resolve("switchboard.yaml"));
    }

    private static BackendTlsConfig tls(String tls) throws ConfigException {
        return load(tls).config().pools().get("app").tls();
    }

    private static List<String> errors(String tls) {
        return ConfigText.errors(() -> load(tls));
    }

    @Test
    void everyKey() throws Exception {
        assertThat(tls("{ca: ca.pem, sni: Internal.Example.com, verify: true}"))
                .isEqualTo(new BackendTlsConfig(dir.resolve("ca.pem"), "internal.example.com", true));
    }

    @Test
    void emptyMeansTheDefaultTrustStoreEachServersHostAndVerification() throws Exception {
        assertThat(tls("{}")).isEqualTo(new BackendTlsConfig(null, null, true));
        String noTls = "listeners:\n  - port: 8080\n    default-pool: app\npools:\n  app:\n    servers:\n"
                + "      - {name: a, address: 127.0.0.1:9001}\n";
        assertThat(ConfigLoader.parse(noTls, "switchboard.yaml", null).config().pools().get("app").tls()).isNull();
    }

    @Test
    void verifyFalseWarns() throws Exception {
        LoadedConfig loaded = load("{verify: false}");
        assertThat(loaded.config().pools().get("app").tls()).isEqualTo(new BackendTlsConfig(null, null, false));
        assertThat(ConfigText.warnings(loaded)).containsExactly("switchboard.yaml:8: warning: pools.app.tls.verify: back-end certificates"
                + " are not verified (anyone on the path can pose as a back end)");
    }

    @Test
    void missingOrNotPemCa() {
        assertThat(errors("{ca: nope.pem}")).containsExactly(
                "switchboard.yaml:8: pools.app.tls.ca: no such file: " + dir.resolve("nope.pem"));
        assertThat(errors("{ca: junk.pem}")).containsExactly("switchboard.yaml:8: pools.app.tls.ca: " + dir.resolve("junk.pem")
                + " is not a PEM CA certificate (expected a '-----BEGIN CERTIFICATE-----' block)");
        assertThat(errors("{ca: ca.key}")).singleElement().asString().contains("holds a private key");
    }

    @Test
    void badServerName() {
        assertThat(errors("{sni: 10.0.0.1}")).containsExactly("switchboard.yaml:8: pools.app.tls.sni: '10.0.0.1' is an IP address;"
                + " SNI carries a host name (remove sni to check the certificate against each server's address)");
        assertThat(errors("{sni: \"bad name\"}")).containsExactly("switchboard.yaml:8: pools.app.tls.sni: 'bad name' is not a host"
                + " name (letters, digits, '-' and '.', such as internal.example.com)");
    }

    @Test
    void unknownKey() {
        assertThat(errors("{verfy: true}")).singleElement().asString().startsWith("switchboard.yaml:8: pools.app.tls.verfy:")
                .contains("verify");
    }
}
