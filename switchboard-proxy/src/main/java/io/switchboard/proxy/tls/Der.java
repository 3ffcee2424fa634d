package io.switchboard.proxy.tls;

import java.util.Arrays;

/**
 * Just enough DER (X.690) to find the public key that a PKCS#8 private key carries and the one a
 * certificate's SubjectPublicKeyInfo holds, so that {@link PemFiles} can tell whether a key is a
 * certificate's by comparing them. Every method returns null for an encoding that is not as
 * expected; it never throws on any input.
 *
 * <p>Threading: stateless.
 */
final class Der {
    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int BIT_STRING = 0x03;
    private static final int OCTET_STRING = 0x04;
    private static final int CONTEXT_0 = 0xA0;
    private static final int CONTEXT_1 = 0xA1;
    private static final int CONTEXT_1_PRIMITIVE = 0x81;

    private Der() {}

    /** One element: its tag and where its contents lie in the array. */
    private record Element(int tag, int start, int end) {}

    /** The element at {@code pos}, which must end by {@code limit}; null when it does not parse. */
    private static Element at(byte[] b, int pos, int limit) {
        if (pos + 2 > limit) return null;
        int tag = b[pos] & 0xFF;
        int len = b[pos + 1] & 0xFF;
        int start = pos + 2;
        if (len >= 0x80) {
            int n = len & 0x7F;
            if (n == 0 || n > 3 || start + n > limit) return null;
            len = 0;
            for (int i = 0; i < n; i++) len = len << 8 | b[start + i] & 0xFF;
            start += n;
        }
        if (len > limit - start) return null;
        return new Element(tag, start, start + len);
    }

    /**
     * The EC public point in a PKCS#8 EC key: in the inner ECPrivateKey's {@code [1] publicKey} (RFC
     * 5915, as OpenSSL writes it) or in PKCS#8 v2's {@code [1] publicKey} (RFC 5958).
     */
    static byte[] ecPublicPoint(byte[] pkcs8) {
        if (pkcs8 == null) return null;
        Element info = at(pkcs8, 0, pkcs8.length);
        if (info == null || info.tag() != SEQUENCE) return null;
        Element version = at(pkcs8, info.start(), info.end());
        if (version == null || version.tag() != INTEGER) return null;
        Element algorithm = at(pkcs8, version.end(), info.end());
        if (algorithm == null || algorithm.tag() != SEQUENCE) return null;
        Element privateKey = at(pkcs8, algorithm.end(), info.end());
        if (privateKey == null || privateKey.tag() != OCTET_STRING) return null;
        byte[] inner = innerPublicPoint(pkcs8, privateKey.start(), privateKey.end());
        if (inner != null) return inner;
        for (Element e = at(pkcs8, privateKey.end(), info.end()); e != null; e = at(pkcs8, e.end(), info.end())) {
            if (e.tag() == CONTEXT_1_PRIMITIVE) return bitStringContents(pkcs8, e);
        }
        return null;
    }

    /** ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] parameters OPTIONAL, [1] publicKey BIT STRING OPTIONAL } */
    private static byte[] innerPublicPoint(byte[] b, int from, int limit) {
        Element key = at(b, from, limit);
        if (key == null || key.tag() != SEQUENCE) return null;
        Element version = at(b, key.start(), key.end());
        if (version == null || version.tag() != INTEGER) return null;
        Element secret = at(b, version.end(), key.end());
        if (secret == null || secret.tag() != OCTET_STRING) return null;
        for (Element e = at(b, secret.end(), key.end()); e != null; e = at(b, e.end(), key.end())) {
            if (e.tag() == CONTEXT_1) {
                Element bits = at(b, e.start(), e.end());
                return bits == null || bits.tag() != BIT_STRING ? null : bitStringContents(b, bits);
            }
            if (e.tag() != CONTEXT_0) return null;
        }
        return null;
    }

    /** The public key bits of a SubjectPublicKeyInfo: SEQUENCE { algorithm SEQUENCE, subjectPublicKey BIT STRING }. */
    static byte[] subjectPublicKey(byte[] spki) {
        if (spki == null) return null;
        Element info = at(spki, 0, spki.length);
        if (info == null || info.tag() != SEQUENCE) return null;
        Element algorithm = at(spki, info.start(), info.end());
        if (algorithm == null || algorithm.tag() != SEQUENCE) return null;
        Element bits = at(spki, algorithm.end(), info.end());
        return bits == null || bits.tag() != BIT_STRING ? null : bitStringContents(spki, bits);
    }

    /** A BIT STRING's bytes without its leading unused-bits count; null unless that count is 0 (keys are whole bytes). */
    private static byte[] bitStringContents(byte[] b, Element e) {
        if (e.end() - e.start() < 2 || b[e.start()] != 0) return null;
        return Arrays.copyOfRange(b, e.start() + 1, e.end());
    }
}
