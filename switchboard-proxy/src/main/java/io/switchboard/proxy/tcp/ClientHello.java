package io.switchboard.proxy.tcp;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A TLS ClientHello read from the first bytes of a connection without terminating TLS (RFC 5246 §6.2,
 * §7.4.1.2; RFC 8446 §4.1.2; SNI: RFC 6066 §3): the record layer (content type 22, version 3.x, length
 * 1..16384), the handshake message (type 1, its 24-bit length; it may span several records, up to
 * {@link #MAX_HANDSHAKE} bytes), and the ClientHello's fields with every length checked against what
 * contains it, the extensions walked one by one (no duplicates) and the whole message consumed exactly.
 *
 * @param serverName the SNI host name, lower case, without a trailing dot; null when the client sent none
 * @param sessionId the legacy session ID (0 to 32 bytes)
 * @param sessionTicket whether the session ticket extension (35) is present
 * @param tls13 whether supported_versions (43) offers TLS 1.3, so the session ID is the random
 *     middlebox-compatibility value, not a resumable session
 * @param length the bytes of the records that carried the ClientHello
 *
 * <p>Threading: immutable; {@link #parse} is a pure function.
 */
public record ClientHello(String serverName, byte[] sessionId, boolean sessionTicket, boolean tls13, int length) {
    /** The largest TLS plaintext record (2^14). */
    static final int MAX_RECORD = 16384;
    /** The largest ClientHello accepted: a few records; real ones are a few hundred bytes to 2 KB (post-quantum key shares). */
    static final int MAX_HANDSHAKE = 4 * MAX_RECORD;
    /** The bytes a peek holds at most: the handshake in up to 64 records; more records than that are refused. */
    static final int MAX_PEEK = MAX_HANDSHAKE + 4 + 5 * 64;

    /** Why the bytes are not a ClientHello; the message says what was wrong and where. */
    public static final class Malformed extends Exception {
        private final boolean tls;

        Malformed(String message, boolean tls) {
            super(message, null, false, false);
            this.tls = tls;
        }

        /** Whether the bytes looked like TLS at all (a handshake record), so that a TLS alert makes sense. */
        public boolean tls() {
            return tls;
        }
    }

    /**
     * Reads a ClientHello from {@code b[0..len)}.
     *
     * @return the ClientHello, or null when the bytes so far are a valid beginning and more are needed
     * @throws Malformed when the bytes cannot begin a ClientHello
     */
    public static ClientHello parse(byte[] b, int len) throws Malformed {
        if (len == 0) return null;
        if ((b[0] & 0xff) != 22) {
            throw new Malformed("first byte " + (b[0] & 0xff) + " is not a TLS handshake record (22)", false);
        }
        // Gather the handshake message's bytes across records.
        byte[] hs = null;
        int hsLen = 0;
        int need = -1; // the handshake message's total length, once its header is seen
        int pos = 0;
        while (true) {
            if (len - pos < 5) return null;
            int type = b[pos] & 0xff;
            int major = b[pos + 1] & 0xff;
            int minor = b[pos + 2] & 0xff;
            int rlen = u16(b, pos + 3);
            if (type != 22) throw new Malformed("record at byte " + pos + " has content type " + type
                    + " before the ClientHello ended; expected 22 (handshake)", true);
            if (major != 3 || minor > 4) throw new Malformed("record version " + major + "." + minor + " at byte " + pos
                    + " is not TLS (3.0 to 3.4)", pos != 0 || major == 3);
            if (rlen == 0 || rlen > MAX_RECORD) throw new Malformed("record length " + rlen + " at byte " + pos
                    + " is outside 1.." + MAX_RECORD, true);
            if (len - pos - 5 < rlen) return null;
            if (hs == null) hs = new byte[Math.min(MAX_HANDSHAKE + 4, Math.max(rlen, 4) + MAX_RECORD)];
            if (hsLen + rlen > hs.length) {
                if (hs.length >= MAX_HANDSHAKE + 4) throw new Malformed("ClientHello longer than " + MAX_HANDSHAKE + " bytes", true);
                byte[] grown = new byte[Math.min(MAX_HANDSHAKE + 4, Math.max(hs.length * 2, hsLen + rlen))];
                System.arraycopy(hs, 0, grown, 0, hsLen);
                hs = grown;
                if (hsLen + rlen > hs.length) throw new Malformed("ClientHello longer than " + MAX_HANDSHAKE + " bytes", true);
            }
            System.arraycopy(b, pos + 5, hs, hsLen, rlen);
            hsLen += rlen;
            pos += 5 + rlen;
            if (need < 0 && hsLen >= 4) {
                int hsType = hs[0] & 0xff;
                if (hsType != 1) throw new Malformed("handshake message type " + hsType + "; expected 1 (ClientHello)", true);
                int body = (hs[1] & 0xff) << 16 | u16(hs, 2);
                if (body > MAX_HANDSHAKE) throw new Malformed("ClientHello length " + body + " is over " + MAX_HANDSHAKE, true);
                if (body < 2 + 32 + 1 + 2 + 2 + 1 + 1) throw new Malformed("ClientHello length " + body + " is too short", true);
                need = 4 + body;
            }
            if (need >= 0 && hsLen > need) throw new Malformed("handshake records carry " + (hsLen - need)
                    + " bytes after the ClientHello", true);
            if (need >= 0 && hsLen == need) return body(hs, need, pos);
        }
    }

    private static ClientHello body(byte[] h, int end, int recordBytes) throws Malformed {
        int p = 4;
        int version = u16(h, p);
        if (version < 0x0300 || version > 0x0303) {
            throw new Malformed(String.format("client_version 0x%04x is not 0x0300 to 0x0303", version), true);
        }
        p += 2 + 32; // version, random
        int sidLen = h[p] & 0xff;
        if (sidLen > 32) throw new Malformed("session ID length " + sidLen + " is over 32", true);
        p++;
        if (p + sidLen > end) throw new Malformed("session ID runs past the ClientHello", true);
        byte[] sid = new byte[sidLen];
        System.arraycopy(h, p, sid, 0, sidLen);
        p += sidLen;
        if (p + 2 > end) throw new Malformed("ClientHello ends before its cipher suites", true);
        int csLen = u16(h, p);
        p += 2;
        if (csLen < 2 || (csLen & 1) != 0) throw new Malformed("cipher suites length " + csLen + " is not a positive even number", true);
        if (p + csLen > end) throw new Malformed("cipher suites run past the ClientHello", true);
        p += csLen;
        if (p + 1 > end) throw new Malformed("ClientHello ends before its compression methods", true);
        int cmLen = h[p] & 0xff;
        p++;
        if (cmLen < 1) throw new Malformed("no compression methods (at least null is required)", true);
        if (p + cmLen > end) throw new Malformed("compression methods run past the ClientHello", true);
        p += cmLen;
        String sni = null;
        boolean ticket = false;
        boolean tls13 = false;
        if (p < end) {
            if (p + 2 > end) throw new Malformed("one stray byte where the extensions' length belongs", true);
            int extLen = u16(h, p);
            p += 2;
            if (p + extLen != end) throw new Malformed("extensions length " + extLen + " does not match the "
                    + (end - p) + " bytes left in the ClientHello", true);
            Set<Integer> seen = new HashSet<>();
            while (p < end) {
                if (p + 4 > end) throw new Malformed("truncated extension header", true);
                int type = u16(h, p);
                int len = u16(h, p + 2);
                p += 4;
                if (p + len > end) throw new Malformed("extension " + type + " length " + len + " runs past the extensions", true);
                if (!seen.add(type)) throw new Malformed("extension " + type + " appears twice", true);
                switch (type) {
                    case 0 -> sni = serverName(h, p, len);
                    case 35 -> ticket = true;
                    case 43 -> tls13 = offersTls13(h, p, len);
                    default -> { }
                }
                p += len;
            }
        }
        return new ClientHello(sni, sid, ticket, tls13, recordBytes);
    }

    /** RFC 6066 §3: a list of (type, name); one host_name (type 0) at most. */
    private static String serverName(byte[] h, int p, int len) throws Malformed {
        if (len == 0) return null; // a server's empty echo; a client should not send it, but it carries no name
        if (len < 2 || u16(h, p) != len - 2) throw new Malformed("server_name list length does not match its extension", true);
        int end = p + len;
        p += 2;
        String name = null;
        while (p < end) {
            if (p + 3 > end) throw new Malformed("truncated server_name entry", true);
            int type = h[p] & 0xff;
            int n = u16(h, p + 1);
            p += 3;
            if (p + n > end) throw new Malformed("server name length " + n + " runs past its extension", true);
            if (type == 0) {
                if (name != null) throw new Malformed("two host_name entries in server_name", true);
                name = hostName(h, p, n);
            }
            p += n;
        }
        return name;
    }

    private static String hostName(byte[] h, int p, int n) throws Malformed {
        if (n == 0 || n > 255) throw new Malformed("host name length " + n + " is outside 1..255", true);
        for (int i = p; i < p + n; i++) {
            int c = h[i] & 0xff;
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_';
            if (!ok) throw new Malformed("host name byte " + c + " at " + (i - p) + " is not a letter, digit, '-', '_' or '.'", true);
        }
        String s = new String(h, p, n, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        if (s.endsWith(".")) s = s.substring(0, s.length() - 1);
        if (s.isEmpty() || s.startsWith(".") || s.contains("..")) throw new Malformed("host name '" + s + "' has an empty label", true);
        return s;
    }

    private static boolean offersTls13(byte[] h, int p, int len) throws Malformed {
        if (len < 1 || (h[p] & 0xff) != len - 1 || ((len - 1) & 1) != 0) {
            throw new Malformed("supported_versions list length does not match its extension", true);
        }
        for (int i = p + 1; i < p + len; i += 2) if (u16(h, i) == 0x0304) return true;
        return false;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
    }
}
