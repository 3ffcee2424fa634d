package io.switchboard.proxy.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made for one test by the {@code openssl} and {@code keytool} commands, in a temporary
 * directory: a test CA, leaf certificates it signs (ECDSA P-256 or RSA), an expired one. Paths are
 * {@code <name>.pem} and {@code <name>.key} (PKCS#8).
 */
public final class TestCertificates {
    private final Path dir;

    public TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Switchboard Test CA");
    }

    public Path dir() { return dir; }
    public Path ca() { return dir.resolve("ca.pem"); }
    public Path cert(String name) { return dir.resolve(name + ".pem"); }
    public Path key(String name) { return dir.resolve(name + ".key"); }

    /** An ECDSA P-256 leaf signed by the CA, with these DNS names in its subjectAltName (CN: the first). */
    public TestCertificates ec(String name, String... dnsNames) throws Exception {
        return leaf(name, List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"), dnsNames);
    }

    /** An RSA 2048 leaf signed by the CA. */
    public TestCertificates rsa(String name, String... dnsNames) throws Exception {
        return leaf(name, List.of("-newkey", "rsa:2048"), dnsNames);
    }

    private TestCertificates leaf(String name, List<String> keyArgs, String... dnsNames) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "req", "-x509", "-CA", "ca.pem", "-CAkey", "ca.key"));
        cmd.addAll(keyArgs);
        cmd.addAll(List.of("-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "30",
                "-subj", "/CN=" + (dnsNames.length == 0 ? name : dnsNames[0])));
        if (dnsNames.length > 0) cmd.addAll(List.of("-addext", "subjectAltName=DNS:" + String.join(",DNS:", dnsNames)));
        run(cmd.toArray(String[]::new));
        return this;
    }

    /** A self-signed EC certificate that expired days ago (keytool can back-date; openssl 3.0 cannot). */
    public TestCertificates expired(String name) throws Exception {
        String p12 = name + ".p12";
        run("keytool", "-genkeypair", "-alias", "x", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-startdate", "-10d", "-validity", "2", "-keystore", p12, "-storetype", "PKCS12", "-storepass", "changeit");
        run("keytool", "-exportcert", "-rfc", "-alias", "x", "-keystore", p12, "-storepass", "changeit", "-file", name + ".pem");
        run("sh", "-c", "openssl pkcs12 -in " + p12 + " -nocerts -nodes -passin pass:changeit | openssl pkey -out " + name + ".key");
        return this;
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }

    /** Writes text to a file in the directory (bad inputs). */
    public Path write(String file, String text) throws IOException {
        return Files.writeString(dir.resolve(file), text);
    }
}
