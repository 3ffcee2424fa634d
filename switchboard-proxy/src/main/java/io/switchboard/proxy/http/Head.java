package io.switchboard.proxy.http;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A parsed HTTP/1.x message head, request or response, kept as the bytes it arrived in plus an index
 * of where each field line is and what it means to a proxy. Nothing is converted into strings or maps
 * on the way through: {@link HeadWriter} copies the kept field lines as they are, in runs, and adds
 * its own; strings (target, Referer, ...) are made only when asked for.
 *
 * <p>Built by {@link HeadParser}; immutable once built except for {@link #failure}, which the decoder
 * may set when the body turns out broken before the head was passed on. Not thread-safe (it never
 * leaves its event loop).
 */
public final class Head {
    // What a field name is, as far as a proxy cares (OTHER for everything else).
    static final byte OTHER = 0;
    static final byte HOST = 1;
    static final byte CONTENT_LENGTH = 2;
    static final byte TRANSFER_ENCODING = 3;
    static final byte CONNECTION = 4;
    static final byte KEEP_ALIVE = 5;
    static final byte PROXY_CONNECTION = 6;
    static final byte TE = 7;
    static final byte TRAILER = 8;
    static final byte UPGRADE = 9;
    static final byte PROXY_AUTHENTICATE = 10;
    static final byte HTTP2_SETTINGS = 11;
    static final byte EXPECT = 12;
    static final byte X_FORWARDED_FOR = 13;
    static final byte X_FORWARDED_PROTO = 14;
    static final byte X_FORWARDED_HOST = 15;
    static final byte VIA = 16;
    static final byte REFERER = 17;
    static final byte USER_AGENT = 18;
    /**
     * Any field whose name contains '_': CGI-style servers map '-' and '_' both to '_', so
     * {@code X_Forwarded_For} would pass for the {@code X-Forwarded-For} the proxy writes. Never
     * forwarded on requests (NGINX's default, underscores_in_headers off).
     */
    static final byte UNDERSCORE = 19;

    /** Expect: none, exactly 100-continue, or anything else. */
    static final byte EXPECT_NONE = 0, EXPECT_CONTINUE = 1, EXPECT_OTHER = 2;

    final byte[] bytes;   // the head, start line to the empty line, CRLFs included
    final int length;
    final boolean request;

    // Start line. Requests: method [0, methodEnd), target [targetStart, targetEnd). Responses: status.
    String method;
    int methodEnd;
    int targetStart;
    int targetEnd;
    // Absolute-form targets: the authority [authorityStart, authorityEnd), -1 for other forms. The
    // target in origin-form starts at pathStart (the whole target for the other forms).
    int authorityStart = -1;
    int authorityEnd;
    int pathStart;
    int startLineEnd;     // index of the CR ending the start line
    boolean http10;
    int status;

    // Field lines: line i is [start(i), end(i)) without its CRLF, its colon at colon(i). Packed in one
    // array, three ints a field (start, colon | kind << 24, end): one small allocation per head
    // (the parser fills a per-thread array and the head keeps an exact-size copy).
    int fields;
    private int[] index = NO_FIELDS;
    private static final int[] NO_FIELDS = new int[0];
    private static final FastThreadLocal<int[][]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected int[][] initialValue() {
            return new int[][] {new int[3 * 64]};
        }
    };
    int headerBytes;      // bytes of the field lines with their CRLFs

    // What the fields say.
    long contentLength = -1;
    boolean chunked;
    boolean keepAlive;
    boolean hasHost;
    byte expect;
    boolean closeToken;       // Connection: close
    boolean keepAliveToken;   // Connection: keep-alive
    boolean upgradeToken;     // Connection: upgrade
    /** One Upgrade field, whose value is exactly {@code websocket} (any case). */
    boolean upgradeWebSocket;
    /** Field names listed in Connection other than the ones handled anyway; null when none. */
    List<String> connectionNames;

    /** Why the message is refused, and the status to answer with (400, 414, 431; 502 for responses). */
    String failure;
    int failureStatus;
    /** Requests: {@link System#nanoTime} when the head's first byte arrived (0 when not decoded from a connection). */
    long arrivalNanos;

    private String uri;
    private String host;

    Head(byte[] bytes, int length, boolean request) {
        this.bytes = bytes;
        this.length = length;
        this.request = request;
    }

    static Head failed(boolean request, int status, String why) {
        Head h = new Head(new byte[0], 0, request);
        h.fail(status, why);
        return h;
    }

    Head fail(int status, String why) {
        if (failure == null) {
            failure = why;
            failureStatus = status;
        }
        return this;
    }

    /** Whether the message is refused by the parser. */
    public boolean failed() {
        return failure != null;
    }

    /**
     * The request target as the back end gets it: as sent, except that an absolute-form target is
     * reduced to origin-form (see {@link #absoluteForm()}); made once, on first use.
     */
    String uri() {
        String u = uri;
        if (u == null) {
            if (targetEnd <= targetStart) {
                u = "-";
            } else if (!absoluteForm()) {
                u = new String(bytes, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
            } else if (pathStart == targetEnd) {
                u = emptyPathTarget();
            } else {
                String path = new String(bytes, pathStart, targetEnd - pathStart, StandardCharsets.ISO_8859_1);
                u = bytes[pathStart] == '?' ? "/" + path : path;
            }
            uri = u;
        }
        return u;
    }

    /**
     * Whether the target was in absolute-form ({@code http://host:port/path?query}): a proxy forwards it
     * in origin-form, with the target's authority as Host in place of the received Host field (RFC 9112
     * section 3.2.2); an empty path becomes "/" (or "*" for OPTIONS, section 3.2.4).
     */
    boolean absoluteForm() {
        return authorityStart >= 0;
    }

    /** The origin-form target for an absolute-form target without path or query. */
    String emptyPathTarget() {
        return "OPTIONS".equals(method) ? "*" : "/";
    }

    /**
     * The host the request is for, as the back end gets it: the authority of an absolute-form target,
     * else the Host field's value; null when the request names none. Made once, on first use.
     */
    String host() {
        String v = host;
        if (v == null) {
            v = absoluteForm() ? new String(bytes, authorityStart, authorityEnd - authorityStart, StandardCharsets.ISO_8859_1) : value(HOST);
            host = v;
        }
        return v;
    }

    boolean isHead() {
        return "HEAD".equals(method);
    }

    /** The value of the first field of this kind, without surrounding whitespace, or null. */
    String value(byte kind) {
        for (int i = 0; i < fields; i++) {
            if (kind(i) == kind) {
                int from = valueStart(i);
                int to = valueEnd(i);
                return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /**
     * The value of the first field of this name (any case), without surrounding whitespace, or null.
     * For routes and persistence; the proxy's own fields are found by kind.
     */
    public String header(String name) {
        int i = indexOfName(name, 0);
        if (i < 0) return null;
        int from = valueStart(i);
        return new String(bytes, from, valueEnd(i) - from, StandardCharsets.ISO_8859_1);
    }

    /** The index of the first field from {@code from} on whose name is {@code name} (any case), or -1. */
    int indexOfName(String name, int from) {
        int len = name.length();
        for (int i = from; i < fields; i++) {
            int start = start(i);
            if (colon(i) - start != len) continue;
            boolean same = true;
            for (int j = 0; j < len && same; j++) {
                int a = bytes[start + j];
                int b = name.charAt(j);
                if (a >= 'A' && a <= 'Z') a += 32;
                if (b >= 'A' && b <= 'Z') b += 32;
                same = a == b;
            }
            if (same) return i;
        }
        return -1;
    }

    /** One cookie pair of a Cookie field: its bytes are [start, end), its '=' at eq (end when it has none). */
    private interface CookiePair {
        /** @return true to stop */
        boolean visit(int start, int eq, int end);
    }

    /** Visits the cookie pairs of the request's Cookie fields in order (RFC 6265 section 5.4), trimmed. */
    private void forEachCookie(CookiePair visitor) {
        for (int i = indexOfName("cookie", 0); i >= 0; i = indexOfName("cookie", i + 1)) {
            int p = valueStart(i);
            int end = valueEnd(i);
            while (p < end) {
                while (p < end && (bytes[p] == ' ' || bytes[p] == '\t' || bytes[p] == ';')) p++;
                int pairEnd = p;
                while (pairEnd < end && bytes[pairEnd] != ';') pairEnd++;
                int last = pairEnd;
                while (last > p && (bytes[last - 1] == ' ' || bytes[last - 1] == '\t')) last--;
                int eq = p;
                while (eq < last && bytes[eq] != '=') eq++;
                if (last > p && visitor.visit(p, eq, last)) return;
                p = pairEnd + 1;
            }
        }
    }

    /** Whether the pair [start, eq) names {@code name} (trailing blanks before '=' ignored). */
    private boolean cookieNamed(int start, int eq, int end, String name) {
        if (eq >= end) return false;
        int nameEnd = eq;
        while (nameEnd > start && (bytes[nameEnd - 1] == ' ' || bytes[nameEnd - 1] == '\t')) nameEnd--;
        return nameEnd - start == name.length() && sameAscii(start, name);
    }

    /**
     * The value of the cookie of this name (case-sensitive, RFC 6265 section 5.4) in the request's
     * Cookie fields, the first one if sent twice; null when there is none. Pairs are split on ';'
     * and the value is returned as sent (quotes included).
     */
    public String cookie(String name) {
        String[] found = new String[1];
        forEachCookie((start, eq, end) -> {
            if (!cookieNamed(start, eq, end, name)) return false;
            int v = eq + 1;
            while (v < end && (bytes[v] == ' ' || bytes[v] == '\t')) v++;
            found[0] = new String(bytes, v, end - v, StandardCharsets.ISO_8859_1);
            return true;
        });
        return found[0];
    }

    /**
     * The request's Cookie fields without the cookies of this name, pairs joined by "; " (RFC 6265
     * section 5.4); null when no cookie has that name (nothing to remove), "" when it was the only one.
     */
    public String cookiesWithout(String name) {
        StringBuilder kept = new StringBuilder();
        boolean[] found = new boolean[1];
        forEachCookie((start, eq, end) -> {
            if (cookieNamed(start, eq, end, name)) {
                found[0] = true;
            } else {
                if (!kept.isEmpty()) kept.append("; ");
                kept.append(new String(bytes, start, end - start, StandardCharsets.ISO_8859_1));
            }
            return false;
        });
        return found[0] ? kept.toString() : null;
    }

    /**
     * Responses: the value of the cookie of this name that a Set-Cookie field sets (the first such
     * field), without its attributes; null when none sets it.
     */
    public String setCookie(String name) {
        int len = name.length();
        for (int i = indexOfName("set-cookie", 0); i >= 0; i = indexOfName("set-cookie", i + 1)) {
            int p = valueStart(i);
            int end = valueEnd(i);
            int pairEnd = p;
            while (pairEnd < end && bytes[pairEnd] != ';') pairEnd++;
            int eq = p;
            while (eq < pairEnd && bytes[eq] != '=') eq++;
            int nameEnd = eq;
            while (nameEnd > p && (bytes[nameEnd - 1] == ' ' || bytes[nameEnd - 1] == '\t')) nameEnd--;
            if (eq < pairEnd && nameEnd - p == len && sameAscii(p, name)) {
                int v = eq + 1;
                int vEnd = pairEnd;
                while (v < vEnd && (bytes[v] == ' ' || bytes[v] == '\t')) v++;
                while (vEnd > v && (bytes[vEnd - 1] == ' ' || bytes[vEnd - 1] == '\t')) vEnd--;
                return new String(bytes, v, vEnd - v, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** The values of every field of this name joined by ", " (list-valued fields, RFC 9110 section 5.3); null when none. */
    public String headerList(String name) {
        StringBuilder sb = null;
        for (int i = indexOfName(name, 0); i >= 0; i = indexOfName(name, i + 1)) {
            int from = valueStart(i);
            if (sb == null) sb = new StringBuilder();
            else sb.append(", ");
            sb.append(new String(bytes, from, valueEnd(i) - from, StandardCharsets.ISO_8859_1));
        }
        return sb == null ? null : sb.toString();
    }

    private boolean sameAscii(int at, String s) {
        for (int j = 0; j < s.length(); j++) if ((bytes[at + j] & 0xff) != s.charAt(j)) return false;
        return true;
    }

    /** The index of the first field of this kind, or -1. */
    int indexOf(byte kind) {
        for (int i = 0; i < fields; i++) if (kind(i) == kind) return i;
        return -1;
    }

    /** Index of the first value byte of field i (after the colon and optional whitespace). */
    int valueStart(int i) {
        int p = colon(i) + 1;
        int end = end(i);
        while (p < end && (bytes[p] == ' ' || bytes[p] == '\t')) p++;
        return p;
    }

    /** Index after the last value byte of field i (trailing whitespace excluded). */
    int valueEnd(int i) {
        int from = valueStart(i);
        int p = end(i);
        while (p > from && (bytes[p - 1] == ' ' || bytes[p - 1] == '\t')) p--;
        return p;
    }

    /** Field i's line starts here (its name). */
    int start(int i) { return index[3 * i]; }

    /** Field i's colon. */
    int colon(int i) { return index[3 * i + 1] & 0xffffff; }

    /** Field i's line ends here (its CR). */
    int end(int i) { return index[3 * i + 2]; }

    /** What field i is ({@link #OTHER}, {@link #HOST}, ...). */
    byte kind(int i) { return (byte) (index[3 * i + 1] >>> 24); }

    /** Parsing starts: fields go to the thread's scratch array until {@link #compact()}. */
    void beginFields() {
        index = SCRATCH.get()[0];
        fields = 0;
    }

    void addField(int start, int colon, int end, byte kind) {
        int at = 3 * fields;
        if (at + 3 > index.length) {
            index = Arrays.copyOf(index, index.length * 2);
            SCRATCH.get()[0] = index;
        }
        index[at] = start;
        index[at + 1] = colon | (kind << 24); // heads are far below 16 MB
        index[at + 2] = end;
        fields++;
    }

    /** Parsing ended: keep an exact-size copy of the field index (the scratch array is reused). */
    void compact() {
        index = fields == 0 ? NO_FIELDS : Arrays.copyOf(index, 3 * fields);
    }

    /** Whether field i's name is one of the names listed in Connection. */
    boolean namedInConnection(int i) {
        List<String> names = connectionNames;
        if (names == null) return false;
        int start = start(i);
        int len = colon(i) - start;
        for (String n : names) {
            if (n.length() != len) continue;
            boolean same = true;
            for (int j = 0; j < len && same; j++) {
                int a = bytes[start + j];
                int b = n.charAt(j);
                if (a >= 'A' && a <= 'Z') a += 32;
                same = a == b;
            }
            if (same) return true;
        }
        return false;
    }

    /**
     * Whether this request asks for a WebSocket (RFC 6455 section 4.1): an HTTP/1.1 GET without a
     * body, with {@code Connection: upgrade} and {@code Upgrade: websocket}. Only such a request is
     * forwarded with its Upgrade; any other Upgrade (h2c, a list, a request with a body) is dropped as
     * hop-by-hop, the proxy ignoring it as a server may (RFC 9110 section 7.8).
     */
    boolean webSocketUpgrade() {
        return request && upgradeToken && upgradeWebSocket && !http10 && "GET".equals(method) && !chunked && contentLength <= 0
                && failure == null;
    }

    /** The protocol version as access logs write it. */
    String versionText() {
        return http10 ? "HTTP/1.0" : "HTTP/1.1";
    }
}
