package io.switchboard.proxy.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Locale;

/**
 * Parses a complete HTTP/1.x message head (RFC 9112 sections 2-7) from raw bytes, strictly: whatever
 * two parsers could read differently is refused, not normalised. Refused, with the reason that goes to
 * the access log: bare CR or LF, line folding (obs-fold), whitespace before or in a field name or
 * before the colon, control characters in values, the request target or the reason phrase, a version
 * other than HTTP/1.0 or HTTP/1.1, more than one Content-Length or a list or anything but digits, a
 * Transfer-Encoding other than exactly {@code chunked} (or on HTTP/1.0, or twice), both framing fields,
 * more than one Host or a Host that is not {@code host[:port]}, CONNECT, a target that is not a path,
 * an absolute http(s) URI with a plain {@code host[:port]} authority (no userinfo) or {@code *} with
 * OPTIONS, and heads over the listener's limits (414, 431). Field names with an underscore are
 * accepted but marked {@link Head#UNDERSCORE}, so that they are not forwarded.
 *
 * <p>Cost: one pass over the bytes with table lookups, line ends found eight bytes at a time; no
 * allocation but the {@link Head} and, for a Connection that names other fields, their names.
 *
 * <p>Stateless and thread-safe.
 */
final class HeadParser {
    static final byte CR = '\r';
    static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HT = '\t';

    private static final boolean[] TCHAR = new boolean[256];
    /** Field-name bytes: 0 not a tchar, else bit 0; bit 1 marks '_' (see {@link Head#UNDERSCORE}). */
    private static final byte[] NAME_CHAR = new byte[256];
    private static final boolean[] TARGET_CHAR = new boolean[256];
    private static final boolean[] VALUE_CHAR = new boolean[256];
    private static final boolean[] HOST_CHAR = new boolean[256];
    private static final byte[] HTTP_1 = ascii("HTTP/1.");
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Field names the proxy acts on, lower case, indexed by their {@link Head} kind. */
    private static final byte[][] NAMES = new byte[19][];
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"};
    private static final byte[][] METHOD_BYTES = new byte[METHODS.length][];

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
        for (int c = 0; c < 256; c++) NAME_CHAR[c] = (byte) (TCHAR[c] ? 1 : 0);
        NAME_CHAR['_'] = 3;
        for (int c = 0x21; c <= 0x7e; c++) TARGET_CHAR[c] = true;
        // field-value = *( VCHAR / obs-text / SP / HTAB ), RFC 9110 section 5.5
        for (int c = 0x20; c <= 0xff; c++) VALUE_CHAR[c] = c != 0x7f;
        VALUE_CHAR[HT] = true;
        // RFC 3986 reg-name (unreserved, pct-encoded, sub-delims), ':' for the port, '[' ']' for an IP
        // literal; ',' is a sub-delim but in Host it means a list, which is refused.
        for (char c = '0'; c <= '9'; c++) HOST_CHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) HOST_CHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) HOST_CHAR[c] = true;
        for (char c : "-._~%!$&'()*+;=:[]".toCharArray()) HOST_CHAR[c] = true;

        NAMES[Head.HOST] = ascii("host");
        NAMES[Head.CONTENT_LENGTH] = ascii("content-length");
        NAMES[Head.TRANSFER_ENCODING] = ascii("transfer-encoding");
        NAMES[Head.CONNECTION] = ascii("connection");
        NAMES[Head.KEEP_ALIVE] = ascii("keep-alive");
        NAMES[Head.PROXY_CONNECTION] = ascii("proxy-connection");
        NAMES[Head.TE] = ascii("te");
        NAMES[Head.TRAILER] = ascii("trailer");
        NAMES[Head.UPGRADE] = ascii("upgrade");
        NAMES[Head.PROXY_AUTHENTICATE] = ascii("proxy-authenticate");
        NAMES[Head.HTTP2_SETTINGS] = ascii("http2-settings");
        NAMES[Head.EXPECT] = ascii("expect");
        NAMES[Head.X_FORWARDED_FOR] = ascii("x-forwarded-for");
        NAMES[Head.X_FORWARDED_PROTO] = ascii("x-forwarded-proto");
        NAMES[Head.X_FORWARDED_HOST] = ascii("x-forwarded-host");
        NAMES[Head.VIA] = ascii("via");
        NAMES[Head.REFERER] = ascii("referer");
        NAMES[Head.USER_AGENT] = ascii("user-agent");
        for (int i = 0; i < METHODS.length; i++) METHOD_BYTES[i] = ascii(METHODS[i]);
    }

    /** Limits of one direction. */
    record Limits(int maxStartLine, int maxHeaderBytes, int maxFields) {}

    private HeadParser() {}

    /** Whether {@code b} may appear in a token (a method, a field name), RFC 9110 section 5.6.2. */
    static boolean isTchar(byte b) {
        return TCHAR[b & 0xff];
    }

    /** A byte a field value or reason phrase may hold: visible, space, HTAB or obs-text (not a CTL, not DEL). */
    static boolean isValueChar(byte b) {
        return VALUE_CHAR[b & 0xff];
    }

    /**
     * Parses {@code a[0, len)}, which holds exactly one complete head (start line through the empty
     * line); returns the head, {@link Head#failed() failed} if it is refused.
     */
    static Head parse(byte[] a, int len, boolean request, Limits limits) {
        Head h = new Head(a, len, request);
        h.beginFields();
        try {
            return parse(h, a, len, request, limits);
        } finally {
            h.compact();
        }
    }

    private static Head parse(Head h, byte[] a, int len, boolean request, Limits limits) {
        int lf = find(a, 0, len, LF);
        if (lf < 0) return h.fail(request ? 400 : 502, "incomplete head"); // never: the decoder found the end
        if (request && lf + 1 > limits.maxStartLine()) {
            return h.fail(414, "request line longer than " + limits.maxStartLine() + " bytes");
        }
        if (lf == 0 || a[lf - 1] != CR) return h.fail(request ? 400 : 502, "bare LF at the end of the " + (request ? "request" : "status") + " line");
        int cr = lf - 1;
        h.startLineEnd = cr;
        String bad = request ? requestLine(h, a, cr) : statusLine(h, a, cr);
        if (bad != null) return h.fail(request ? 400 : 502, bad);
        int p = lf + 1;
        int seen = 0;
        while (true) {
            lf = find(a, p, len, LF);
            if (lf < 0) return h.fail(request ? 400 : 502, "incomplete head");
            if (lf == p || a[lf - 1] != CR) return h.fail(request ? 400 : 502, "bare LF in the header section");
            int end = lf - 1;
            if (end == p) break; // the empty line
            String why = fieldLine(h, a, p, end, seen, false);
            if (why != null) return h.fail(request ? 400 : 502, why);
            seen |= 1 << h.kind(h.fields - 1);
            p = lf + 1;
        }
        h.headerBytes = p - (h.startLineEnd + 2);
        if (h.headerBytes > limits.maxHeaderBytes()) {
            return h.fail(request ? 431 : 502, (request ? "request" : "response") + " header larger than " + limits.maxHeaderBytes() + " bytes");
        }
        if (h.fields > limits.maxFields()) {
            return h.fail(request ? 431 : 502, h.fields + " header fields, more than max-headers " + limits.maxFields());
        }
        if (h.chunked && h.contentLength >= 0) {
            return h.fail(request ? 400 : 502, "both Transfer-Encoding and Content-Length (RFC 9112 section 6.1)");
        }
        h.keepAlive = h.http10 ? (h.keepAliveToken && !h.closeToken) : !h.closeToken;
        return h;
    }

    /** method SP request-target SP HTTP-version, in {@code a[0, cr)}; null when fine, else why not. */
    private static String requestLine(Head h, byte[] a, int cr) {
        int i = 0;
        while (i < cr && TCHAR[a[i] & 0xff]) i++;
        if (i == 0) return cr == 0 ? "empty request line" : "request line starts with " + hex(a[0]);
        if (i >= cr) return "HTTP/0.9 request (no target and version on the request line)";
        if (a[i] != SP) return "invalid character " + hex(a[i]) + " in the method (methods are tokens, RFC 9110 section 9.1)";
        h.methodEnd = i;
        h.method = method(a, i);
        int t = i + 1;
        int j = t;
        while (j < cr && TARGET_CHAR[a[j] & 0xff]) j++;
        if (j == t) return j < cr && a[j] == SP ? "more than one space after the method" : "no request target";
        if (j >= cr) return "HTTP/0.9 request (no HTTP version on the request line)";
        if (a[j] != SP) return (a[j] == HT ? "tab" : "invalid character " + hex(a[j])) + " in the request target";
        h.targetStart = t;
        h.targetEnd = j;
        int v = j + 1;
        if (cr - v != HTTP_1.length + 1 || !startsWith(a, v, HTTP_1) || (a[cr - 1] != '0' && a[cr - 1] != '1')) {
            if (v < cr && a[v] == SP) return "more than one space before the HTTP version";
            if (cr - v > HTTP_1.length + 1 && startsWith(a, v, HTTP_1) && (a[v + HTTP_1.length + 1] == SP || a[v + HTTP_1.length + 1] == HT)) {
                return "whitespace after the HTTP version";
            }
            return "unsupported or malformed HTTP version (allowed: HTTP/1.0, HTTP/1.1)";
        }
        h.http10 = a[cr - 1] == '0';
        // RFC 9112 section 3.2: origin-form, absolute-form, asterisk-form with OPTIONS; no authority-form.
        if (h.method.equals("CONNECT")) return "CONNECT is not supported (Switchboard is a reverse proxy, not a tunnel)";
        if (a[t] != '/') {
            if (j - t == 1 && a[t] == '*') {
                if (!h.method.equals("OPTIONS")) return "request target '*' is only allowed with OPTIONS";
            } else if (startsWithIgnoreCase(a, t, j, "http://")) {
                return authority(h, a, t + 7, j);
            } else if (startsWithIgnoreCase(a, t, j, "https://")) {
                return authority(h, a, t + 8, j);
            } else {
                return "request target must be a path or an absolute http(s) URI (RFC 9112 section 3.2)";
            }
        }
        h.pathStart = t;
        return null;
    }

    /**
     * The authority of an absolute-form target, from {@code s} (after "scheme://") to the first '/' or
     * '?' before {@code j}: a proxy forwards it as Host (RFC 9112 section 3.2.2), so it must be exactly
     * host[:port]. Null when fine.
     */
    private static String authority(Head h, byte[] a, int s, int j) {
        int e = s;
        while (e < j && a[e] != '/' && a[e] != '?') e++;
        if (e == s || a[s] == ':') return "absolute request target without a host (RFC 9112 section 3.2.2)";
        if (indexOf(a, s, e, (byte) '@') >= 0) return "userinfo (user@) in the request target is not allowed (RFC 9110 section 4.2.4)";
        String why = checkHost(a, s, e);
        if (why != null) return why + " (the authority of the request target)";
        h.authorityStart = s;
        h.authorityEnd = e;
        h.pathStart = e;
        return null;
    }

    /** HTTP-version SP 3DIGIT [SP reason-phrase], in {@code a[0, cr)}. */
    private static String statusLine(Head h, byte[] a, int cr) {
        if (cr < HTTP_1.length + 1 || !startsWith(a, 0, HTTP_1) || (a[HTTP_1.length] != '0' && a[HTTP_1.length] != '1')) {
            return "unsupported or malformed HTTP version in the status line (allowed: HTTP/1.0, HTTP/1.1)";
        }
        h.http10 = a[HTTP_1.length] == '0';
        int i = HTTP_1.length + 1;
        if (i >= cr || a[i] != SP) return "malformed status line (expected HTTP/1.x, a space and a 3-digit status code)";
        i++;
        int status = 0;
        for (int k = 0; k < 3; k++, i++) {
            if (i >= cr || a[i] < '0' || a[i] > '9') return "malformed status code (expected 3 digits, 100-599)";
            status = status * 10 + (a[i] - '0');
        }
        if (status < 100 || status > 599) return "malformed status code " + status + " (expected 100-599)";
        h.status = status;
        if (i < cr) {
            if (a[i] != SP) return "malformed status line after the status code";
            for (int k = i + 1; k < cr; k++) {
                int c = a[k] & 0xff;
                if (!VALUE_CHAR[c]) return "control character " + hex(a[k]) + " in the reason phrase";
            }
        }
        return null;
    }

    /**
     * One field line {@code a[p, end)} (no CRLF): checks it, adds it to the head and records what it
     * means. {@code seen} holds a bit per kind already seen. In a trailer section, nothing is recorded
     * but the line's validity ({@code trailer}). Null when fine, else why not.
     */
    static String fieldLine(Head h, byte[] a, int p, int end, int seen, boolean trailer) {
        String section = trailer ? "trailer" : "header";
        byte first = a[p];
        if (first == SP || first == HT) {
            return h.fields > 0 || trailer ? "obs-fold: a " + section + " line starts with whitespace (line folding is obsolete, RFC 9112 section 5.2)"
                    : "whitespace before the first " + section + " field name";
        }
        int c = p;
        int classes = 0;
        int cls;
        while (c < end && (cls = NAME_CHAR[a[c] & 0xff]) != 0) {
            classes |= cls;
            c++;
        }
        if (c == end) return "no colon in a " + section + " field line";
        if (a[c] != ':') {
            if (a[c] == SP || a[c] == HT) return "whitespace between a " + section + " field name and the colon";
            if (a[c] == CR) return "bare CR in a " + section + " field";
            return "invalid character " + hex(a[c]) + " in a " + section + " field name";
        }
        if (c == p) return "empty " + section + " field name";
        for (int k = c + 1; k < end; k++) {
            if (!VALUE_CHAR[a[k] & 0xff]) {
                String name = new String(a, p, c - p, StandardCharsets.ISO_8859_1);
                return (a[k] == CR ? "bare CR" : "invalid character " + hex(a[k])) + " in the value of " + section + " field '" + name + "'";
            }
        }
        if (trailer) return null;
        byte kind = (classes & 2) != 0 ? Head.UNDERSCORE : kind(a, p, c - p);
        h.addField(p, c, end, kind);
        int i = h.fields - 1;
        switch (kind) {
            case Head.HOST -> {
                if (!h.request) break;
                if ((seen & (1 << Head.HOST)) != 0) return "more than one Host field (RFC 9112 section 3.2)";
                h.hasHost = true;
                return checkHost(a, h.valueStart(i), h.valueEnd(i));
            }
            case Head.CONTENT_LENGTH -> {
                if ((seen & (1 << Head.CONTENT_LENGTH)) != 0) return "more than one Content-Length field";
                long v = number(a, h.valueStart(i), h.valueEnd(i));
                if (v < 0) return "Content-Length is not a plain number (RFC 9110 section 8.6)";
                h.contentLength = v;
            }
            case Head.TRANSFER_ENCODING -> {
                if (h.http10) return "Transfer-Encoding in an HTTP/1.0 message (RFC 9112 section 6.1)";
                if ((seen & (1 << Head.TRANSFER_ENCODING)) != 0) return "more than one Transfer-Encoding field";
                if (!equalsIgnoreCase(a, h.valueStart(i), h.valueEnd(i), "chunked")) return "Transfer-Encoding other than exactly 'chunked'";
                h.chunked = true;
            }
            case Head.CONNECTION -> connectionTokens(h, a, h.valueStart(i), h.valueEnd(i));
            case Head.UPGRADE -> h.upgradeWebSocket = (seen & (1 << Head.UPGRADE)) == 0
                    && equalsIgnoreCase(a, h.valueStart(i), h.valueEnd(i), "websocket");
            case Head.EXPECT -> h.expect = equalsIgnoreCase(a, h.valueStart(i), h.valueEnd(i), "100-continue") && h.expect != Head.EXPECT_OTHER
                    ? Head.EXPECT_CONTINUE : Head.EXPECT_OTHER;
            default -> { }
        }
        return null;
    }

    /** Records close / keep-alive and the other field names a Connection value lists. */
    private static void connectionTokens(Head h, byte[] a, int from, int to) {
        int i = from;
        while (i < to) {
            while (i < to && (a[i] == ',' || a[i] == SP || a[i] == HT)) i++;
            int s = i;
            while (i < to && a[i] != ',') i++;
            int e = i;
            while (e > s && (a[e - 1] == SP || a[e - 1] == HT)) e--;
            if (e == s) continue;
            if (equalsIgnoreCase(a, s, e, "close")) {
                h.closeToken = true;
            } else if (equalsIgnoreCase(a, s, e, "keep-alive")) {
                h.keepAliveToken = true;
            } else if (equalsIgnoreCase(a, s, e, "upgrade")) {
                h.upgradeToken = true; // Upgrade is hop-by-hop anyway
            } else {
                byte k = kind(a, s, e - s);
                // Removed anyway (hop-by-hop), or never to be removed by a client (framing, Host).
                if (k == Head.OTHER || k == Head.EXPECT || k == Head.X_FORWARDED_FOR || k == Head.X_FORWARDED_PROTO
                        || k == Head.X_FORWARDED_HOST || k == Head.VIA || k == Head.REFERER || k == Head.USER_AGENT) {
                    if (h.connectionNames == null) h.connectionNames = new ArrayList<>(2);
                    h.connectionNames.add(new String(a, s, e - s, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
                }
            }
        }
    }

    /** Which field the name {@code a[p, p + n)} is (any case), or OTHER. */
    static byte kind(byte[] a, int p, int n) {
        // Cheap pre-filter on length and first letter before comparing.
        int f = a[p] | 0x20;
        for (byte k = 1; k < NAMES.length; k++) {
            byte[] name = NAMES[k];
            if (name.length != n || name[0] != f) continue;
            int j = 1;
            while (j < n && (a[p + j] >= 'A' && a[p + j] <= 'Z' ? a[p + j] + 32 : a[p + j]) == name[j]) j++;
            if (j == n) return k;
        }
        return Head.OTHER;
    }

    /** Host = uri-host [ ":" port ]; an empty value is allowed (RFC 9110 section 7.2). Null when fine. */
    static String checkHost(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            int c = a[i] & 0xff;
            if (c == ',') return "Host is a list (more than one Host, RFC 9112 section 3.2)";
            if (!HOST_CHAR[c]) return "invalid character in Host";
        }
        int portStart;
        if (to > from && a[from] == '[') {
            int close = indexOf(a, from, to, (byte) ']');
            if (close < 0 || indexOf(a, from + 1, to, (byte) '[') >= 0 || indexOf(a, close + 1, to, (byte) ']') >= 0) return "malformed IP literal in Host";
            if (close + 1 < to && a[close + 1] != ':') return "malformed Host (expected host[:port])";
            portStart = close + 1 < to ? close + 2 : -1;
        } else {
            if (indexOf(a, from, to, (byte) '[') >= 0 || indexOf(a, from, to, (byte) ']') >= 0) return "malformed Host (brackets only around an IPv6 address)";
            int colon = indexOf(a, from, to, (byte) ':');
            if (colon >= 0 && indexOf(a, colon + 1, to, (byte) ':') >= 0) return "malformed Host (an IPv6 address needs brackets)";
            portStart = colon < 0 ? -1 : colon + 1;
        }
        if (portStart >= 0) {
            if (portStart >= to || to - portStart > 5) return "malformed port in Host";
            for (int i = portStart; i < to; i++) if (a[i] < '0' || a[i] > '9') return "malformed port in Host";
        }
        return null;
    }

    /** 1*DIGIT (at most 18 digits), or -1. */
    private static long number(byte[] a, int from, int to) {
        if (from == to || to - from > 18) return -1;
        long v = 0;
        for (int j = from; j < to; j++) {
            if (a[j] < '0' || a[j] > '9') return -1;
            v = v * 10 + (a[j] - '0');
        }
        return v;
    }

    private static String method(byte[] a, int n) {
        for (int m = 0; m < METHOD_BYTES.length; m++) {
            byte[] b = METHOD_BYTES[m];
            if (b.length == n && startsWith(a, 0, b)) return METHODS[m];
        }
        return new String(a, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** The first index of {@code b} in {@code a[from, to)}, or -1; eight bytes at a time (SWAR). */
    static int find(byte[] a, int from, int to, byte b) {
        long pattern = (b & 0xffL) * 0x0101010101010101L;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(a, i) ^ pattern;
            // A byte of x is zero where a matches; this sets its high bit (and perhaps that of higher
            // bytes, never of lower ones, so the lowest set bit is exact).
            long t = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            if (t != 0) return i + (Long.numberOfTrailingZeros(t) >>> 3);
        }
        for (; i < to; i++) if (a[i] == b) return i;
        return -1;
    }

    private static int indexOf(byte[] a, int from, int to, byte b) {
        for (int i = from; i < to; i++) if (a[i] == b) return i;
        return -1;
    }

    private static boolean startsWith(byte[] a, int at, byte[] prefix) {
        if (at + prefix.length > a.length) return false;
        for (int j = 0; j < prefix.length; j++) if (a[at + j] != prefix[j]) return false;
        return true;
    }

    private static boolean startsWithIgnoreCase(byte[] a, int from, int to, String prefix) {
        if (to - from < prefix.length()) return false;
        for (int j = 0; j < prefix.length(); j++) {
            int c = a[from + j];
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c != prefix.charAt(j)) return false;
        }
        return true;
    }

    static boolean equalsIgnoreCase(byte[] a, int from, int to, String lower) {
        return to - from == lower.length() && startsWithIgnoreCase(a, from, to, lower);
    }

    static String hex(byte b) {
        return String.format(Locale.ROOT, "0x%02X", b & 0xff);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
