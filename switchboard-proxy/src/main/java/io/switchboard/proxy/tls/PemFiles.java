package io.switchboard.proxy.tls;

import io.switchboard.proxy.tls.TlsSetupException.Part;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Reads PEM certificate chains, private keys and CA bundles, and checks them the way a person would
 * want to hear about it: which file, and what is wrong with it (missing, unreadable, not PEM, an
 * encrypted or traditional-format key, a key that is not the certificate's, a certificate outside its
 * validity dates). Netty would fail on all of these too, but with messages about ASN.1 and key specs.
 *
 * <p>Threading: safe from any thread; its only state is a bounded, synchronized memo of checked key pairs.
 */
public final class PemFiles {
    private static final Pattern KEY_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]*)-----END \\1PRIVATE KEY-----");
    private static final int SAN_DNS = 2;
    private static final long MAX_FILE_SIZE = 1 << 20;

    private PemFiles() {}

    /** A certificate chain (leaf first) with its key. */
    public record KeyPair(List<X509Certificate> chain, PrivateKey key) {
        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    /**
     * Reads and checks a certificate chain and its key at {@code now}. Files whose bytes were read and
     * checked before in this process (the config check, then the start; every reload) are not parsed
     * again: the pair is remembered by the files' contents ({@link #PAIRS}); the dates are checked anew.
     */
    public static KeyPair keyPair(Path certFile, Path keyFile, Instant now) {
        byte[] certBytes = read(certFile, Part.CERT);
        byte[] keyBytes;
        try {
            keyBytes = read(keyFile, Part.KEY);
        } catch (TlsSetupException e) {
            certificates(certFile, certBytes, Part.CERT, "certificate"); // the certificate's own problem first
            throw e;
        }
        Contents contents = new Contents(certBytes, keyBytes);
        KeyPair known = PAIRS.get(contents);
        if (known != null) {
            checkValidity(certFile, known.leaf(), now);
            return known;
        }
        List<X509Certificate> chain = certificates(certFile, certBytes, Part.CERT, "certificate");
        X509Certificate leaf = chain.get(0);
        checkValidity(certFile, leaf, now);
        PrivateKey key = privateKey(keyFile, keyBytes);
        if (!matches(key, leaf.getPublicKey())) {
            throw new TlsSetupException(Part.KEY, "key " + keyFile + " does not match the certificate " + certFile
                    + " (the certificate's public key belongs to another private key; use the key the certificate was made for)");
        }
        KeyPair pair = new KeyPair(List.copyOf(chain), key);
        PAIRS.put(contents, pair);
        return pair;
    }

    /**
     * The bytes of a certificate file and of its key file. Its equals and hashCode are written out: a
     * record's are bootstrapped through method handles at their first call, 12-15 ms of a start with
     * a TLS listener (async-profiler, bench/RESULTS.md session 12).
     */
    private static final class Contents {
        private final byte[] cert;
        private final byte[] key;
        private final int hash;

        Contents(byte[] cert, byte[] key) {
            this.cert = cert;
            this.key = key;
            this.hash = 31 * Arrays.hashCode(cert) + Arrays.hashCode(key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Contents c && hash == c.hash && Arrays.equals(cert, c.cert) && Arrays.equals(key, c.key);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** Pairs read and checked in this process, by the files' contents; the oldest go past 64. */
    private static final Map<Contents, KeyPair> PAIRS = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Contents, KeyPair> eldest) {
            return size() > 64;
        }
    });

    /** The CA certificates of a bundle (client certificates must chain to one). */
    public static List<X509Certificate> certificateAuthorities(Path file) {
        return certificates(file, read(file, Part.CA), Part.CA, "CA certificate");
    }

    /**
     * The names a certificate serves: the DNS names of its subjectAltName, else its subject's CN
     * (lower case; wildcards kept as {@code *.example.com}).
     */
    public static List<String> names(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && san.get(0) instanceof Integer type && type == SAN_DNS && san.get(1) instanceof String dns) {
                        out.add(dns.toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateException e) {
            // an unparsable extension: fall back to the CN
        }
        if (out.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) out.add(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
                }
            } catch (InvalidNameException e) {
                // no usable name: the certificate serves as the default only
            }
        }
        return out;
    }

    private static List<X509Certificate> certificates(Path file, byte[] bytes, Part part, String what) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new TlsSetupException(part, file + " is not a PEM " + what + " (expected a '-----BEGIN CERTIFICATE-----' block"
                    + (text.contains("PRIVATE KEY-----") ? "; this file holds a private key: swap cert and key?" : "") + ")");
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) throw new CertificateException("no certificate found");
            return out;
        } catch (CertificateException e) {
            throw new TlsSetupException(part, file + " is not a readable PEM " + what + ": " + e.getMessage());
        }
    }

    private static void checkValidity(Path file, X509Certificate leaf, Instant now) {
        Date at = Date.from(now);
        String dates = "valid from " + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant();
        if (at.after(leaf.getNotAfter())) {
            throw new TlsSetupException(Part.CERT, "certificate " + file + " expired on " + leaf.getNotAfter().toInstant()
                    + " (" + dates + "; renew it)");
        }
        if (at.before(leaf.getNotBefore())) {
            throw new TlsSetupException(Part.CERT, "certificate " + file + " is not valid yet (" + dates + "; check the clock)");
        }
    }

    private static PrivateKey privateKey(Path file, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        Matcher m = KEY_BLOCK.matcher(text);
        if (!m.find()) {
            throw new TlsSetupException(Part.KEY, file + " is not a PEM private key (expected a '-----BEGIN PRIVATE KEY-----' block"
                    + (text.contains("-----BEGIN CERTIFICATE-----") ? "; this file holds a certificate: swap cert and key?" : "") + ")");
        }
        String kind = m.group(1).trim();
        if (kind.equals("ENCRYPTED")) {
            throw new TlsSetupException(Part.KEY, "key " + file + " is encrypted; give an unencrypted PKCS#8 key"
                    + " (openssl pkey -in " + file + " -out plain.key) and protect the file by its permissions");
        }
        if (!kind.isEmpty()) {
            throw new TlsSetupException(Part.KEY, "key " + file + " is in the traditional " + kind + " format; convert it to PKCS#8"
                    + " (openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pk8)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new TlsSetupException(Part.KEY, file + " is not a readable PEM private key (bad base64)");
        }
        for (String algorithm : List.of("EC", "RSA", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new TlsSetupException(Part.KEY, file + " is not a readable private key (allowed: EC, RSA or Ed25519 in PKCS#8 PEM)");
    }

    /**
     * Whether the private key belongs to the public key. An RSA key names its modulus and public
     * exponent, and an EC key in PKCS#8 (as OpenSSL writes it) carries its public point: compared,
     * as OpenSSL's own check does. Other keys (an EC key without its public point, Ed25519) are tried:
     * signed with the private key and verified with the public one, which takes tens of milliseconds
     * while the JIT is cold.
     */
    static boolean matches(PrivateKey key, PublicKey pub) {
        if (!key.getAlgorithm().equals(pub.getAlgorithm())) return false;
        Boolean named = namedMatch(key, pub);
        return named != null ? named : signAndVerify(key, pub);
    }

    /** True or false when the private key's encoding says which public key is its own; null when it does not say. */
    static Boolean namedMatch(PrivateKey key, PublicKey pub) {
        if (key instanceof RSAPrivateCrtKey k && pub instanceof RSAPublicKey p) {
            return k.getModulus().equals(p.getModulus()) && k.getPublicExponent().equals(p.getPublicExponent());
        }
        if (key instanceof ECPrivateKey && pub instanceof ECPublicKey) {
            byte[] point = Der.ecPublicPoint(key.getEncoded());
            byte[] certPoint = Der.subjectPublicKey(pub.getEncoded());
            if (point == null || certPoint == null) return null;
            return Arrays.equals(point, certPoint);
        }
        return null;
    }

    private static boolean signAndVerify(PrivateKey key, PublicKey pub) {
        String alg = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm();
        };
        try {
            byte[] data = new byte[32];
            new SecureRandom().nextBytes(data);
            Signature s = Signature.getInstance(alg);
            if (alg.equals("RSASSA-PSS")) return true; // parameters vary; the engine checks the pair when it builds
            s.initSign(key);
            s.update(data);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(data);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Bounded: a path such as /dev/zero or a log file must not hang or exhaust the load. */
    private static byte[] read(Path file, Part part) {
        try {
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw new TlsSetupException(part, file + " is not a regular file (give a PEM file)");
            }
            if (Files.exists(file) && Files.size(file) > MAX_FILE_SIZE) {
                throw new TlsSetupException(part, file + " is larger than " + MAX_FILE_SIZE / 1024 + " kB, too large for a PEM file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsSetupException(part, "no such file: " + file);
        } catch (AccessDeniedException e) {
            throw new TlsSetupException(part, "cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new TlsSetupException(part, "cannot read " + file + ": " + e.getMessage());
        }
    }
}
