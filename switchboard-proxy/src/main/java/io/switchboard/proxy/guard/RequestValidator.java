package io.switchboard.proxy.guard;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.switchboard.config.ListenerConfig;

/**
 * Sits right after the server codec and marks requests that must not be forwarded as decoder
 * failures ({@code setDecoderResult(failure(reason))}); it never answers. The front end's existing
 * path for malformed requests then answers 400 (431 for too many header fields), closes the
 * connection and puts the reason in the access log.
 *
 * <p>What it marks: the violations {@link HeadScanner} found in the raw bytes of this request's head
 * (or of its chunked body and trailers, marked on its last content); more header fields than the
 * listener's {@code max-headers}; {@code CONNECT}, and request targets that are neither a path, an
 * absolute {@code http(s)} URI nor {@code *} for {@code OPTIONS} (RFC 9112 section 3.2); a
 * {@code Host} value that is not a host and optional port (RFC 9110 section 7.2).
 *
 * <p>It also replaces the {@code FullHttpRequest} Netty's decoder emits for a message it cannot parse
 * by an equivalent plain request, releasing the original's buffer, which nothing after it would.
 *
 * <p>Threading: the channel's event loop.
 */
public final class RequestValidator extends ChannelInboundHandlerAdapter {
    private static final boolean[] HOST_CHAR = new boolean[128];

    static {
        // RFC 3986 reg-name (unreserved, pct-encoded, sub-delims) plus ':' for the port and '[' ']' for
        // an IP literal; ',' is a sub-delim but a comma in Host means a list, which is refused.
        for (char c = '0'; c <= '9'; c++) HOST_CHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) HOST_CHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) HOST_CHAR[c] = true;
        for (char c : "-._~%!$&'()*+;=:[]".toCharArray()) HOST_CHAR[c] = true;
    }

    private final int maxHeaders;
    private HeadScanner scanner;
    private int ordinal;

    public RequestValidator(ListenerConfig listener) {
        this.maxHeaders = listener.maxHeaders();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        scanner = ctx.pipeline().get(HeadScanner.class);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            ordinal++;
            if (req.decoderResult().isFailure()) {
                if (req instanceof FullHttpRequest full) msg = plain(full);
            } else {
                String why = check(req);
                if (why != null) {
                    req.setDecoderResult(DecoderResult.failure(why == TOO_MANY
                            ? new TooManyHeaderFieldsException(req.headers().size() + " header fields, more than max-headers " + maxHeaders)
                            : new InvalidMessageException(why)));
                }
            }
        } else if (msg instanceof LastHttpContent last && scanner != null && last.decoderResult().isSuccess()) {
            String why = scanner.violation(ordinal, HeadScanner.Part.BODY);
            if (why != null) {
                DefaultLastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                failed.setDecoderResult(DecoderResult.failure(new InvalidMessageException(why)));
                last.release();
                msg = failed;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private static final String TOO_MANY = "too many header fields";

    /** Why the request must be refused, or null. */
    private String check(HttpRequest req) {
        if (scanner != null) {
            String raw = scanner.violation(ordinal, HeadScanner.Part.HEAD);
            if (raw != null) return raw;
        }
        if (req.headers().size() > maxHeaders) return TOO_MANY;
        HttpMethod method = req.method();
        if (method.equals(HttpMethod.CONNECT)) return "CONNECT is not supported (Switchboard is a reverse proxy, not a tunnel)";
        String target = req.uri();
        if (target.isEmpty() || target.charAt(0) != '/') {
            if (target.equals("*")) {
                if (!method.equals(HttpMethod.OPTIONS)) return "request target '*' is only allowed with OPTIONS";
            } else if (!startsWithIgnoreCase(target, "http://") && !startsWithIgnoreCase(target, "https://")) {
                return "request target must be a path or an absolute http(s) URI (RFC 9112 section 3.2)";
            }
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        return host == null ? null : checkHost(host);
    }

    /** Host = uri-host [ ":" port ]; an empty value is allowed (RFC 9110 section 7.2). */
    static String checkHost(String host) {
        int n = host.length();
        for (int i = 0; i < n; i++) {
            char c = host.charAt(i);
            if (c == ',') return "Host is a list (more than one Host, RFC 9112 section 3.2)";
            if (c >= 128 || !HOST_CHAR[c]) return "invalid character in Host";
        }
        int portStart;
        if (n > 0 && host.charAt(0) == '[') {
            int close = host.indexOf(']');
            if (close < 0 || host.indexOf('[', 1) >= 0 || host.indexOf(']', close + 1) >= 0) return "malformed IP literal in Host";
            if (close + 1 < n && host.charAt(close + 1) != ':') return "malformed Host (expected host[:port])";
            portStart = close + 1 < n ? close + 2 : -1;
        } else {
            if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0) return "malformed Host (brackets only around an IPv6 address)";
            int colon = host.indexOf(':');
            if (colon >= 0 && host.indexOf(':', colon + 1) >= 0) return "malformed Host (an IPv6 address needs brackets)";
            portStart = colon < 0 ? -1 : colon + 1;
        }
        if (portStart >= 0) {
            if (portStart >= n || n - portStart > 5) return "malformed port in Host";
            for (int i = portStart; i < n; i++) {
                char c = host.charAt(i);
                if (c < '0' || c > '9') return "malformed port in Host";
            }
        }
        return null;
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /** The decoder's failure placeholder without its (never released) empty buffer. */
    private static HttpRequest plain(FullHttpRequest full) {
        DefaultHttpRequest copy = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
        copy.setDecoderResult(full.decoderResult());
        full.release();
        return copy;
    }
}
