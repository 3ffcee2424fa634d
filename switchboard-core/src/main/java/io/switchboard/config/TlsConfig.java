package io.switchboard.config;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS termination on one listener: the certificates (chosen by SNI, the first is the default), the
 * protocol versions and TLS 1.2 cipher suites allowed, optional client certificates, session tickets.
 * Only paths and names: the data plane reads the files and builds the TLS contexts (core stays
 * JDK-only), and the config loader builds them once at load time so that {@code check} and {@code
 * run} refuse the same files.
 *
 * @param certificates one or more; the first serves clients without SNI or with an unknown name
 * @param protocols a subset of {@link #PROTOCOLS}
 * @param ciphers TLS 1.2 suites, a subset of {@link #MODERN_CIPHERS} (TLS 1.3 suites are not configurable)
 * @param clientCertificates null: clients are not asked for a certificate
 * @param sessionTickets whether resumption by session tickets is offered (keys rotate in the data plane)
 */
public record TlsConfig(List<Certificate> certificates, List<String> protocols, List<String> ciphers,
                        ClientCertificates clientCertificates, boolean sessionTickets) {
    /** Nothing older: TLS 1.0 and 1.1 are deprecated (RFC 8996). */
    public static final List<String> PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");
    /** ECDHE (forward secrecy) with an AEAD cipher only, in order of preference; IANA names. */
    public static final List<String> MODERN_CIPHERS = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    /** The TLS 1.3 suites, always enabled when TLS 1.3 is (all of them are AEAD). */
    public static final List<String> TLS13_CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    public static final String DEFAULT_CLIENT_SUBJECT_HEADER = "X-Client-Subject";

    public TlsConfig {
        if (certificates == null || certificates.isEmpty()) throw new IllegalArgumentException("at least one certificate is required");
        certificates = List.copyOf(certificates);
        protocols = protocols == null || protocols.isEmpty() ? PROTOCOLS : List.copyOf(protocols);
        ciphers = ciphers == null || ciphers.isEmpty() ? MODERN_CIPHERS : List.copyOf(ciphers);
        for (String p : protocols) {
            if (!PROTOCOLS.contains(p)) throw new IllegalArgumentException("protocol " + p + " is not allowed (allowed: " + String.join(", ", PROTOCOLS) + ")");
        }
        for (String c : ciphers) {
            if (!MODERN_CIPHERS.contains(c)) throw new IllegalArgumentException("cipher " + c + " is not allowed (allowed: " + String.join(", ", MODERN_CIPHERS) + ")");
        }
    }

    /**
     * A certificate chain and its private key, PEM files.
     *
     * @param names the SNI names it serves (exact or {@code *.example.com}); empty: the DNS names of
     *     the certificate's subjectAltName (its CN when it has none)
     */
    public record Certificate(Path cert, Path key, List<String> names) {
        public Certificate {
            if (cert == null || key == null) throw new IllegalArgumentException("cert and key are required");
            names = names == null ? List.of() : List.copyOf(names);
        }
    }

    /**
     * Client certificates (mutual TLS).
     *
     * @param ca PEM file of the certificate authorities a client certificate must chain to
     * @param required true: a client without a valid certificate fails the handshake; false: asked, not required
     * @param header the request header that carries the verified subject to the back end (a value
     *     the client sent in this header is always removed)
     */
    public record ClientCertificates(Path ca, boolean required, String header) {
        public ClientCertificates {
            if (ca == null) throw new IllegalArgumentException("ca is required");
            if (header == null || header.isEmpty()) header = DEFAULT_CLIENT_SUBJECT_HEADER;
        }
    }
}
