package io.switchboard.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * What a proxy must do to headers on the way through (RFC 9110 section 7.6): remove the hop-by-hop
 * ones, including every field named in {@code Connection}, and say who forwarded the message
 * ({@code Via}, {@code X-Forwarded-For/-Proto/-Host}).
 *
 * <p>{@code Transfer-Encoding} and {@code Content-Length} are kept on purpose: Netty's codecs
 * de-frame the body on one side and frame it again on the other from these very fields, so the
 * framing the peer chose is preserved. Stateless and thread-safe.
 */
public final class ForwardingHeaders {
    static final AsciiString VIA_VALUE = AsciiString.cached("1.1 switchboard");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    /** Connection-specific by definition (RFC 7540 section 3.2.1), even when Connection does not name it. */
    private static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");

    private static final List<AsciiString> HOP_BY_HOP = List.of(
            HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, HttpHeaderNames.PROXY_AUTHENTICATE, HTTP2_SETTINGS);

    private ForwardingHeaders() {}

    /** Removes hop-by-hop fields and those listed in Connection (except the framing fields). */
    public static void stripHopByHop(HttpHeaders h) {
        List<String> connection = h.getAll(HttpHeaderNames.CONNECTION);
        for (String value : connection) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (t.isEmpty()) continue;
                if (t.equalsIgnoreCase("transfer-encoding") || t.equalsIgnoreCase("content-length")
                        || t.equalsIgnoreCase("host")) {
                    continue; // never let a client strip framing or Host
                }
                h.remove(t);
            }
        }
        for (AsciiString name : HOP_BY_HOP) h.remove(name);
    }

    /** Request direction: strip, then append X-Forwarded-For, set -Proto and -Host, append Via. */
    public static void forRequest(HttpHeaders h, String clientIp, String proto) {
        stripHopByHop(h);
        String xff = h.get(X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, xff == null || xff.isBlank() ? clientIp : xff + ", " + clientIp);
        h.set(X_FORWARDED_PROTO, proto);
        String host = h.get(HttpHeaderNames.HOST);
        if (host != null) h.set(X_FORWARDED_HOST, host);
        appendVia(h);
    }

    /** Response direction: strip and append Via. */
    public static void forResponse(HttpHeaders h) {
        stripHopByHop(h);
        appendVia(h);
    }

    private static void appendVia(HttpHeaders h) {
        String via = h.get(HttpHeaderNames.VIA);
        if (via == null) h.set(HttpHeaderNames.VIA, VIA_VALUE); else h.set(HttpHeaderNames.VIA, via + ", " + VIA_VALUE);
    }
}
