package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns what one HTTP/2 stream receives (a HEADERS frame, DATA frames, trailers) into the bytes of one
 * HTTP/1.1 message, for the HTTP/1.1 machinery that follows ({@link Http1Decoder} and everything after
 * it): a request on a front-end stream, a response on a back-end stream. A body without
 * {@code content-length} becomes chunked, so that trailers (gRPC's status) survive; a body with one is
 * passed on as it is, and must be exactly that long.
 *
 * <p>HTTP/2 has no framing inside its fields, so anything that would mean something to an HTTP/1.1
 * parser is refused here before a byte is written (RFC 9113 section 8.2.1, 8.3.1): CR, LF or NUL in a
 * value, leading or trailing white space, a path or authority with characters outside the visible
 * ASCII range. Netty's decoder already refuses upper-case names, connection-specific fields and bad
 * pseudo-header sets. Refused input is a {@link Malformed}, which the stream answers with 400 or resets
 * ("malformed", RFC 9113 section 8.1.1); nothing of it is passed on.
 *
 * <p>WebSocket over HTTP/2 (RFC 8441): a CONNECT with {@code :protocol websocket} becomes the HTTP/1.1
 * handshake {@code GET <:path>} with {@code Connection: upgrade}, {@code Upgrade: websocket} and a fresh
 * {@code Sec-WebSocket-Key} (an HTTP/2 client sends none), and the stream's DATA after it are passed on
 * raw, the WebSocket frames of the tunnel ({@link Http1Decoder} holds them until the back end's 101).
 * Any other {@code :protocol}, and a CONNECT without one (Switchboard is no forward proxy), are
 * refused with 501: the request is well formed, we just do not implement it.
 *
 * <p>Threading: one instance per stream, on the stream's event loop.
 */
final class H2ToH1 {
    private static final byte[] HTTP_1_1 = HeadWriter.ascii(" HTTP/1.1\r\n");
    private static final byte[] STATUS_PREFIX = HeadWriter.ascii("HTTP/1.1 ");
    private static final byte[] CHUNKED = HeadWriter.ascii("transfer-encoding: chunked\r\n");
    private static final byte[] NO_CONTENT = HeadWriter.ascii("content-length: 0\r\n");
    private static final byte[] LAST_CHUNK = HeadWriter.ascii("0\r\n");
    private static final AsciiString COOKIE = AsciiString.cached("cookie");
    private static final byte[] COOKIE_LINE = HeadWriter.ascii("cookie: ");
    private static final byte[] HOST_LINE = HeadWriter.ascii("host: ");
    private static final AsciiString HOST = AsciiString.cached("host");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");

    /** A stream's input that may not be passed on; {@link #status} is the answer (400: malformed). */
    static final class Malformed extends Exception {
        final int status;

        Malformed(String why) {
            this(400, why);
        }

        Malformed(int status, String why) {
            super(why, null, false, false);
            this.status = status;
        }
    }

    private static final int HEAD = 0;
    private static final int FIXED = 1;
    private static final int CHUNKED_BODY = 2;
    private static final int DONE = 3;
    private static final int TUNNEL = 4; // after an extended CONNECT's head: DATA passed on raw

    private static final AsciiString WEBSOCKET = AsciiString.cached("websocket");
    private static final AsciiString SEC_WEBSOCKET_KEY = AsciiString.cached("sec-websocket-key");
    private static final byte[] UPGRADE_LINES = HeadWriter.ascii("connection: upgrade\r\nupgrade: websocket\r\nsec-websocket-key: ");

    private final boolean request;
    private int state = HEAD;
    private long remaining;
    /** Responses: the request was HEAD, so a content-length says nothing about the body. */
    private boolean headRequest;
    /** Requests: an extended CONNECT for a WebSocket (RFC 8441). */
    private boolean webSocket;

    private H2ToH1(boolean request) {
        this.request = request;
    }

    /** For a front-end stream: the client's request. */
    static H2ToH1 requests() {
        return new H2ToH1(true);
    }

    /** For a back-end stream: the server's response. */
    static H2ToH1 responses(boolean headRequest) {
        H2ToH1 c = new H2ToH1(false);
        c.headRequest = headRequest;
        return c;
    }

    /** Whether the message ended (END_STREAM was seen). */
    boolean done() {
        return state == DONE;
    }

    /** Whether the request is a WebSocket over HTTP/2 (RFC 8441): a 101 to it opens a tunnel. */
    boolean webSocket() {
        return webSocket;
    }

    /**
     * A HEADERS frame: the head, or the trailers that end a message whose head came.
     *
     * @return the bytes to pass on (never null; may be empty)
     */
    ByteBuf headers(ByteBufAllocator alloc, Http2Headers h, boolean endStream) throws Malformed {
        if (state == HEAD) return head(alloc, h, endStream);
        if (state == DONE) throw new Malformed("HEADERS after the end of the stream");
        if (state == TUNNEL) throw new Malformed("HEADERS in a WebSocket tunnel");
        if (!endStream) throw new Malformed("a second HEADERS frame that does not end the stream");
        return trailers(alloc, h);
    }

    /**
     * A DATA frame; takes ownership of {@code data}.
     *
     * @return the bytes to pass on (never null; may be empty)
     */
    ByteBuf data(ByteBufAllocator alloc, ByteBuf data, boolean endStream) throws Malformed {
        int n = data.readableBytes();
        switch (state) {
            case TUNNEL -> {
                if (endStream) state = DONE;
                return data;
            }
            case FIXED -> {
                if (n > remaining) {
                    data.release();
                    throw new Malformed("DATA beyond the content-length");
                }
                remaining -= n;
                if (endStream) {
                    if (remaining != 0) {
                        data.release();
                        throw new Malformed("stream ended " + remaining + " bytes short of its content-length");
                    }
                    state = DONE;
                }
                return data;
            }
            case CHUNKED_BODY -> {
                CompositeByteBuf out = alloc.compositeBuffer(4);
                if (n > 0) {
                    ByteBuf size = alloc.buffer(10);
                    size.writeCharSequence(Integer.toHexString(n), StandardCharsets.US_ASCII);
                    size.writeShort(0x0d0a);
                    out.addComponent(true, size);
                    out.addComponent(true, data);
                    out.addComponent(true, alloc.buffer(2).writeShort(0x0d0a));
                } else {
                    data.release();
                }
                if (endStream) {
                    out.addComponent(true, alloc.buffer(5).writeBytes(LAST_CHUNK).writeShort(0x0d0a));
                    state = DONE;
                }
                return out;
            }
            default -> {
                data.release();
                throw new Malformed(state == HEAD ? "DATA before HEADERS" : "DATA after the end of the stream");
            }
        }
    }

    // ---------------------------------------------------------------- the head

    private ByteBuf head(ByteBufAllocator alloc, Http2Headers h, boolean endStream) throws Malformed {
        ByteBuf out = alloc.buffer(256);
        try {
            int status = -1;
            if (request) {
                webSocket = startLine(out, h);
            } else {
                status = statusLine(out, h);
            }
            long length = fields(out, h);
            boolean interim = !request && status < 200;
            boolean bodyless = !request && (headRequest || status == 204 || status == 304);
            if (webSocket) {
                if (endStream) throw new Malformed("an extended CONNECT that ends the stream");
                if (length >= 0) throw new Malformed("content-length on an extended CONNECT");
                out.writeBytes(UPGRADE_LINES);
                byte[] key = new byte[16];
                ThreadLocalRandom.current().nextBytes(key); // RFC 6455 section 4.1: a nonce, for our back end only
                out.writeBytes(Base64.getEncoder().encode(key));
                out.writeShort(0x0d0a);
                state = TUNNEL;
            } else if (interim) {
                if (endStream) throw new Malformed("an interim response that ends the stream");
                // state stays HEAD: the final response comes next
            } else if (endStream) {
                if (length > 0 && !bodyless) throw new Malformed("stream ended without the content-length's " + length + " bytes");
                // A response with neither must say it is empty, or HTTP/1.1 would read it until the close.
                if (!request && length < 0 && !bodyless) out.writeBytes(NO_CONTENT);
                state = DONE;
            } else if (bodyless) {
                state = FIXED; // nothing may follow but an empty end
                remaining = 0;
            } else if (length >= 0) {
                state = FIXED;
                remaining = length;
            } else {
                out.writeBytes(CHUNKED);
                state = CHUNKED_BODY;
            }
            out.writeShort(0x0d0a);
            return out;
        } catch (Malformed | RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** Writes the request line and host; returns whether the request is a WebSocket (RFC 8441). */
    private static boolean startLine(ByteBuf out, Http2Headers h) throws Malformed {
        CharSequence method = h.method();
        CharSequence path = h.path();
        CharSequence authority = h.authority();
        if (method == null) throw new Malformed("no :method");
        for (int i = 0; i < method.length(); i++) {
            if (method.charAt(i) > 0x7f || !HeadParser.isTchar((byte) method.charAt(i))) throw new Malformed("invalid :method");
        }
        CharSequence protocol = h.get(Http2Headers.PseudoHeaderName.PROTOCOL.value());
        boolean connect = AsciiString.contentEquals("CONNECT", method);
        boolean webSocket = false;
        if (protocol != null) {
            if (!connect) throw new Malformed(":protocol on a " + method + " request (only extended CONNECT has one, RFC 8441)");
            if (!AsciiString.contentEqualsIgnoreCase(WEBSOCKET, protocol)) {
                throw new Malformed(501, "extended CONNECT for :protocol '" + printable(protocol) + "' is not supported (allowed: websocket)");
            }
            if (h.scheme() == null || path == null || path.isEmpty()) throw new Malformed("extended CONNECT needs :scheme and :path");
            if (path.charAt(0) != '/') throw new Malformed(":path must start with '/'");
            method = "GET";
            webSocket = true;
        } else if (connect) {
            throw new Malformed(501, "CONNECT is not supported (Switchboard is a reverse proxy, not a tunnel; "
                    + "WebSocket over HTTP/2 uses CONNECT with :protocol websocket)");
        } else {
            if (h.scheme() == null) throw new Malformed("no :scheme");
            if (path == null || path.isEmpty()) throw new Malformed("no :path");
            if (path.charAt(0) != '/' && !(AsciiString.contentEquals("*", path) && AsciiString.contentEquals("OPTIONS", method))) {
                throw new Malformed(":path must start with '/'");
            }
        }
        visible(path, ":path");
        ByteBufUtil.writeAscii(out, method);
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, path);
        out.writeBytes(HTTP_1_1);
        if (authority != null) {
            if (authority.isEmpty()) throw new Malformed("empty :authority");
            visible(authority, ":authority");
            for (int i = 0; i < authority.length(); i++) {
                if (authority.charAt(i) == '@') throw new Malformed(":authority with user information");
            }
            out.writeBytes(HOST_LINE);
            ByteBufUtil.writeAscii(out, authority);
            out.writeShort(0x0d0a);
        }
        return webSocket;
    }

    /** A client's value for a message: at most 40 visible ASCII characters, '?' for the rest. */
    private static String printable(CharSequence s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 40));
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            b.append(c > 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }

    private static int statusLine(ByteBuf out, Http2Headers h) throws Malformed {
        CharSequence s = h.status();
        if (s == null || s.length() != 3) throw new Malformed("no valid :status");
        int status = 0;
        for (int i = 0; i < 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') throw new Malformed("no valid :status");
            status = status * 10 + (c - '0');
        }
        if (status < 100 || status == 101) throw new Malformed(":status " + status + " is not allowed in HTTP/2");
        out.writeBytes(STATUS_PREFIX);
        ByteBufUtil.writeAscii(out, s);
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, HttpResponseStatus.valueOf(status).reasonPhrase());
        out.writeShort(0x0d0a);
        return status;
    }

    /**
     * Writes the regular fields as lines, cookies (which HTTP/2 may split, RFC 9113 section 8.2.3)
     * joined into one line at the end.
     *
     * @return the content-length, or -1 without one
     */
    private long fields(ByteBuf out, Http2Headers h) throws Malformed {
        long length = -1;
        List<CharSequence> cookies = null;
        for (Map.Entry<CharSequence, CharSequence> e : h) {
            CharSequence name = e.getKey();
            if (name.length() == 0 || name.charAt(0) == ':') continue;
            CharSequence value = e.getValue();
            checkValue(name, value);
            if (request && AsciiString.contentEquals(COOKIE, name)) {
                if (cookies == null) cookies = new ArrayList<>(4);
                cookies.add(value);
                continue;
            }
            if (request && h.authority() != null && AsciiString.contentEqualsIgnoreCase(HOST, name)) continue; // :authority wins
            if (webSocket && AsciiString.contentEqualsIgnoreCase(SEC_WEBSOCKET_KEY, name)) continue; // ours is written
            if (AsciiString.contentEquals(CONTENT_LENGTH, name)) {
                long l = contentLength(value);
                if (length >= 0 && l != length) throw new Malformed("content-length values differ");
                if (length >= 0) continue;
                length = l;
            }
            ByteBufUtil.writeAscii(out, name);
            out.writeByte(':').writeByte(' ');
            writeValue(out, value);
            out.writeShort(0x0d0a);
        }
        if (cookies != null) {
            out.writeBytes(COOKIE_LINE);
            for (int i = 0; i < cookies.size(); i++) {
                if (i > 0) out.writeByte(';').writeByte(' ');
                writeValue(out, cookies.get(i));
            }
            out.writeShort(0x0d0a);
        }
        return length;
    }

    private ByteBuf trailers(ByteBufAllocator alloc, Http2Headers h) throws Malformed {
        if (state == FIXED) {
            if (remaining != 0) throw new Malformed("trailers " + remaining + " bytes short of the content-length");
            state = DONE;
            return Unpooled.EMPTY_BUFFER; // a message with a length has no place for trailers in HTTP/1.1
        }
        ByteBuf out = alloc.buffer(128);
        try {
            out.writeBytes(LAST_CHUNK);
            for (Map.Entry<CharSequence, CharSequence> e : h) {
                CharSequence name = e.getKey();
                if (name.length() == 0 || name.charAt(0) == ':') throw new Malformed("a pseudo-header in trailers");
                checkValue(name, e.getValue());
                ByteBufUtil.writeAscii(out, name);
                out.writeByte(':').writeByte(' ');
                writeValue(out, e.getValue());
                out.writeShort(0x0d0a);
            }
            out.writeShort(0x0d0a);
            state = DONE;
            return out;
        } catch (Malformed | RuntimeException e) {
            out.release();
            throw e;
        }
    }

    // ---------------------------------------------------------------- checks

    private static long contentLength(CharSequence v) throws Malformed {
        if (v.isEmpty() || v.length() > 18) throw new Malformed("invalid content-length");
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') throw new Malformed("invalid content-length");
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** A field name must be a token (Netty checks case), a value free of CR, LF, NUL and outer white space. */
    private static void checkValue(CharSequence name, CharSequence value) throws Malformed {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 0x7f || !HeadParser.isTchar((byte) c)) throw new Malformed("invalid character in field name");
        }
        int n = value.length();
        if (n > 0 && (isSpace(value.charAt(0)) || isSpace(value.charAt(n - 1)))) {
            throw new Malformed("white space around the value of " + name);
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) throw new Malformed("CR, LF or NUL in the value of " + name);
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** Visible ASCII only: what could end a request line or a field cannot be in it. */
    private static void visible(CharSequence s, String what) throws Malformed {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) throw new Malformed("invalid character in " + what);
        }
    }

    /** Values keep their bytes (obs-text included): HPACK gives them as bytes, not text. */
    private static void writeValue(ByteBuf out, CharSequence v) {
        if (v instanceof AsciiString a) {
            out.writeBytes(a.array(), a.arrayOffset(), a.length());
        } else {
            ByteBufUtil.writeAscii(out, v);
        }
    }
}
