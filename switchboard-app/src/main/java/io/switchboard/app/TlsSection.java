package io.switchboard.app;

import io.switchboard.config.HeaderEdit;
import io.switchboard.config.TlsConfig;
import io.switchboard.proxy.tls.PemFiles;
import io.switchboard.proxy.tls.SniContexts;
import io.switchboard.proxy.tls.TlsSetupException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a listener's {@code tls} section, and checks it by doing what the data plane will do: reading
 * every certificate, key and CA file and building the TLS contexts, so that {@code check} refuses
 * exactly what {@code run} would (a missing or unreadable file, not PEM, a key that is not the
 * certificate's, a certificate outside its dates, a protocol or cipher that is not allowed). Relative
 * paths are taken relative to the config file. Problems name file, line and key like {@link
 * PoolSection}'s.
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class TlsSection {
    static final List<String> KEYS = List.of("certificates", "protocols", "ciphers", "client-certificates", "session-tickets");
    static final List<String> CERTIFICATE_KEYS = List.of("cert", "key", "names");
    static final List<String> CLIENT_KEYS = List.of("ca", "required", "header");
    /** A certificate that expires sooner than this loads with a warning. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(14);
    private static final List<String> NEEDED_HEADERS = List.of("host", "cookie", "authorization", "content-type", "expect");
    private static final Pattern SERVER_NAME = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]{0,62})(\\.[a-z0-9]([a-z0-9-]{0,62}))*");

    private TlsSection() {}

    /**
     * The listener's TLS settings; null when it has none, or when they are wrong (errors are recorded).
     *
     * @param source the config file (relative paths are resolved against its directory); null: the working directory
     * @param alpn what the listener will advertise by ALPN (its contexts are built for it, and kept for the start)
     */
    static TlsConfig read(Section listener, Path source, List<String> alpn) {
        if (!listener.has("tls")) return null;
        Problems problems = listener.problems();
        int before = problems.errorCount();
        Section s = listener.section("tls", KEYS);
        Path dir = source == null ? null : source.toAbsolutePath().getParent();
        List<TlsConfig.Certificate> certs = new ArrayList<>();
        List<YamlNode> certNodes = new ArrayList<>();
        YamlNode.Sequence list = s.list("certificates");
        if (list == null && !s.has("certificates")) {
            problems.error(s.line(), s.column(), s.keyPath("certificates"),
                    "required key is missing (a list of {cert: FILE, key: FILE}; the first is the default)");
        } else if (list != null && list.items().isEmpty()) {
            problems.error(list, s.keyPath("certificates"), "at least one certificate is required ({cert: FILE, key: FILE})");
        } else if (list != null) {
            for (int i = 0; i < list.items().size(); i++) {
                YamlNode item = list.items().get(i);
                String path = s.keyPath("certificates") + "[" + i + "]";
                if (!(item instanceof YamlNode.Mapping)) {
                    problems.error(item, path, "expected {cert: FILE, key: FILE}; found " + item.kind());
                    continue;
                }
                Section c = Section.open(item, path, item.line(), item.column(), problems, CERTIFICATE_KEYS);
                Path cert = c.required("cert", "a PEM certificate chain file, leaf first", v -> file(v, dir));
                Path key = c.required("key", "the certificate's PEM private key file", v -> file(v, dir));
                List<String> names = names(c);
                if (cert == null || key == null) continue;
                certs.add(new TlsConfig.Certificate(cert, key, names));
                certNodes.add(item);
            }
        }
        List<String> protocols = words(s, "protocols", TlsConfig.PROTOCOLS, "older versions are deprecated, RFC 8996");
        List<String> ciphers = words(s, "ciphers", TlsConfig.MODERN_CIPHERS, "ECDHE with AES-GCM or ChaCha20-Poly1305; TLS 1.3 suites are always on");
        TlsConfig.ClientCertificates client = null;
        List<X509Certificate> clientCas = null; // read once here, for every certificate's check below
        if (s.has("client-certificates")) {
            Section c = s.section("client-certificates", CLIENT_KEYS);
            Path ca = c.required("ca", "a PEM file of the CA certificates that client certificates must chain to", v -> file(v, dir));
            boolean required = c.bool("required", true);
            String header = c.value("header", TlsConfig.DEFAULT_CLIENT_SUBJECT_HEADER, TlsSection::subjectHeader);
            if (ca != null) {
                client = new TlsConfig.ClientCertificates(ca, required, header);
                try {
                    clientCas = PemFiles.certificateAuthorities(ca);
                } catch (TlsSetupException e) {
                    YamlNode.Entry at = c.entry("ca");
                    problems.error(at.value(), c.keyPath("ca"), e.getMessage());
                }
            }
        }
        boolean tickets = s.bool("session-tickets", true);
        if (problems.errorCount() != before || certs.isEmpty()) return null;

        TlsConfig config = new TlsConfig(certs, protocols, ciphers, client, tickets);
        Instant now = Instant.now();
        for (int i = 0; i < certs.size(); i++) {
            YamlNode.Mapping item = (YamlNode.Mapping) certNodes.get(i);
            String path = s.keyPath("certificates") + "[" + i + "]";
            try {
                SniContexts.check(config, clientCas, certs.get(i), now, alpn);
                warnIfExpiring(certs.get(i), item, path, now, problems);
            } catch (TlsSetupException e) {
                String key = switch (e.part()) {
                    case CERT -> "cert";
                    case KEY -> "key";
                    default -> null;
                };
                YamlNode at = key == null ? item : item.entries().get(key).value();
                problems.error(at, key == null ? path : path + "." + key, e.getMessage());
            }
        }
        return problems.errorCount() == before ? config : null;
    }

    private static void warnIfExpiring(TlsConfig.Certificate c, YamlNode.Mapping item, String path, Instant now, Problems problems) {
        Instant notAfter = PemFiles.keyPair(c.cert(), c.key(), now).leaf().getNotAfter().toInstant();
        if (notAfter.isBefore(now.plus(EXPIRY_WARNING))) {
            problems.warn(item.entries().get("cert").value(), path + ".cert", "certificate " + c.cert() + " expires on " + notAfter
                    + " (in " + Duration.between(now, notAfter).toDays() + " days; renew it and reload)");
        }
    }

    /** A header of its own: not one that frames the message, that the proxy writes, or that routing reads. */
    private static String subjectHeader(String v) {
        String name = v.trim();
        HeaderEdit.checkName(name);
        if (NEEDED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("header '" + name + "' is needed as the client sent it; name a header of its own, such as "
                    + TlsConfig.DEFAULT_CLIENT_SUBJECT_HEADER);
        }
        return name;
    }

    static Path file(String v, Path dir) {
        Path p = Path.of(v.trim());
        if (!p.isAbsolute() && dir != null) p = dir.resolve(p);
        return p.toAbsolutePath().normalize();
    }

    private static List<String> names(Section c) {
        YamlNode.Sequence list = c.list("names");
        if (list == null) return List.of();
        List<String> out = new ArrayList<>();
        for (YamlNode n : list.items()) {
            if (!(n instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                c.problems().error(n, c.keyPath("names"), "expected a server name (www.example.com or *.example.com); found " + n.kind());
                continue;
            }
            if (sc.broken()) continue;
            String name = sc.text().trim().toLowerCase(Locale.ROOT);
            if (!SERVER_NAME.matcher(name).matches() || name.length() > 253) {
                c.problems().error(n, c.keyPath("names"), "'" + sc.text() + "' is not a server name"
                        + " (allowed: a DNS name such as www.example.com, or a wildcard for one label such as *.example.com)");
                continue;
            }
            out.add(name);
        }
        return out;
    }

    /** A list of words from {@code allowed} (matched without regard to case); empty when absent. */
    private static List<String> words(Section s, String key, List<String> allowed, String why) {
        YamlNode.Sequence list = s.list(key);
        if (list == null) return List.of();
        Map<String, String> byLower = new LinkedHashMap<>();
        for (String a : allowed) byLower.put(a.toLowerCase(Locale.ROOT), a);
        List<String> out = new ArrayList<>();
        for (YamlNode n : list.items()) {
            if (!(n instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                s.problems().error(n, s.keyPath(key), "expected one of " + String.join(", ", allowed) + "; found " + n.kind());
                continue;
            }
            if (sc.broken()) continue;
            String v = byLower.get(sc.text().trim().toLowerCase(Locale.ROOT));
            if (v == null) {
                s.problems().error(n, s.keyPath(key), "'" + sc.text() + "' is not allowed (allowed: " + String.join(", ", allowed)
                        + "; " + why + ")");
                continue;
            }
            if (!out.contains(v)) out.add(v);
        }
        if (list.items().isEmpty()) {
            s.problems().error(list, s.keyPath(key), "must not be empty (allowed: " + String.join(", ", allowed) + "; remove the key for all of them)");
        }
        return out;
    }
}
