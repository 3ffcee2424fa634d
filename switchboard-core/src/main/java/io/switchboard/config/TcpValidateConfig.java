package io.switchboard.config;

import java.util.List;

/**
 * What a {@code mode: tcp} listener checks in its clients' bytes before (and, for lines, while) they
 * are relayed (seed 004's protocol validation).
 *
 * @param kind which validator; {@link Kind#NONE}: bytes relayed unread; {@link Kind#HTTP}: the connection is
 *     handed to the HTTP path (strict HTTP/1.1 and h2c parsing, every request dispatched on its own)
 * @param sniRoutes with {@link Kind#TLS}: pools chosen by the ClientHello's server name, exact names before
 *     wildcards ({@code *.example.com}); no name or no match: the listener's default pool
 * @param maxLine with {@link Kind#LINE}: the longest client line allowed, in bytes, its CRLF or LF included;
 *     with {@link Kind#RESP}: the longest inline command and the longest {@code *N} / {@code $N} header line
 * @param firstWords with {@link Kind#LINE}: the commands a client line may start with (compared ignoring
 *     ASCII case); with {@link Kind#RESP}: the commands (a RESP array's first bulk string, or an inline
 *     command's first word) a client may send; empty: any
 * @param errorLine with {@link Kind#LINE} or {@link Kind#RESP}: sent to the client before a violation closes
 *     the connection; null: closed without a word
 */
public record TcpValidateConfig(Kind kind, List<SniRoute> sniRoutes, int maxLine, List<String> firstWords, String errorLine) {
    /** The validators: none, a TLS ClientHello (passthrough with SNI routing), text lines, Redis's RESP, or HTTP. */
    public enum Kind { NONE, TLS, LINE, RESP, HTTP }

    /** Server names (exact, or {@code *.} and a suffix) whose sessions go to {@code pool}. */
    public record SniRoute(List<String> names, String pool) {
        public SniRoute {
            names = List.copyOf(names);
        }
    }

    public static final int DEFAULT_MAX_LINE = 4096;
    public static final TcpValidateConfig NONE = new TcpValidateConfig(Kind.NONE, List.of(), DEFAULT_MAX_LINE, List.of(), null);

    public TcpValidateConfig {
        if (kind == null) kind = Kind.NONE;
        sniRoutes = sniRoutes == null ? List.of() : List.copyOf(sniRoutes);
        firstWords = firstWords == null ? List.of() : List.copyOf(firstWords);
        if (maxLine < 1) throw new IllegalArgumentException("maxLine must be at least 1");
    }

    public static TcpValidateConfig tls(List<SniRoute> routes) {
        return new TcpValidateConfig(Kind.TLS, routes, DEFAULT_MAX_LINE, List.of(), null);
    }

    /** The connection goes to the HTTP path: it is parsed and dispatched as a {@code mode: http} listener's. */
    public static final TcpValidateConfig HTTP = new TcpValidateConfig(Kind.HTTP, List.of(), DEFAULT_MAX_LINE, List.of(), null);

    public static TcpValidateConfig line(int maxLine, List<String> firstWords, String errorLine) {
        return new TcpValidateConfig(Kind.LINE, List.of(), maxLine, firstWords, errorLine);
    }

    public static TcpValidateConfig resp(int maxLine, List<String> firstWords, String errorLine) {
        return new TcpValidateConfig(Kind.RESP, List.of(), maxLine, firstWords, errorLine);
    }
}
