package io.switchboard.app;

import io.switchboard.config.BackendTlsConfig;
import io.switchboard.proxy.tls.BackendTls;
import io.switchboard.proxy.tls.TlsSetupException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a pool's {@code tls} section (TLS to its back ends: {@code ca}, {@code sni}, {@code verify}),
 * and checks it by building the client TLS context the data plane will use, so that {@code check}
 * refuses exactly what {@code run} would. {@code tls: {}} is TLS with the JDK's default trust store,
 * each server's host as SNI and host name checked. Relative paths are taken relative to the config
 * file. Problems name file, line and key like {@link PoolSection}'s.
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class BackendTlsSection {
    static final List<String> KEYS = List.of("ca", "sni", "verify");
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile("[0-9.]+");

    private BackendTlsSection() {}

    /**
     * The pool's back-end TLS settings; null when it has none, or when they are wrong (errors are recorded).
     *
     * @param source the config file (relative paths are resolved against its directory); null: the working directory
     */
    static BackendTlsConfig read(Section pool, Path source) {
        if (!pool.has("tls")) return null;
        Problems problems = pool.problems();
        int before = problems.errorCount();
        Section s = pool.section("tls", KEYS);
        Path dir = source == null ? null : source.toAbsolutePath().getParent();
        Path ca = s.value("ca", null, v -> TlsSection.file(v, dir));
        String sni = s.value("sni", null, BackendTlsSection::serverName);
        boolean verify = s.bool("verify", true);
        if (!verify) {
            YamlNode.Entry v = s.entry("verify");
            problems.warn(v.value(), s.keyPath("verify"), "back-end certificates are not verified (anyone on the path can"
                    + " pose as a back end)" + (ca != null ? "; ca is ignored" : ""));
        }
        if (problems.errorCount() != before) return null;
        BackendTlsConfig config = new BackendTlsConfig(ca, sni, verify);
        try {
            BackendTls.load(config);
        } catch (TlsSetupException e) {
            YamlNode.Entry at = e.part() == TlsSetupException.Part.CA ? s.entry("ca") : pool.entry("tls");
            problems.error(at.value(), e.part() == TlsSetupException.Part.CA ? s.keyPath("ca") : s.path(), e.getMessage());
            return null;
        }
        return config;
    }

    /** A DNS host name (SNI carries no IP address and no wildcard). */
    static String serverName(String v) {
        String name = v.trim().toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
        if (IPV4.matcher(name).matches() || name.contains(":")) {
            throw new IllegalArgumentException("'" + v.trim() + "' is an IP address; SNI carries a host name"
                    + " (remove sni to check the certificate against each server's address)");
        }
        if (name.length() > 253 || !HOST_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + v.trim() + "' is not a host name (letters, digits, '-' and '.', such as internal.example.com)");
        }
        return name;
    }
}
