package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the HTTP/1.1 bytes that the proxy writes for one message (a response to a front-end stream, a
 * request to a back-end stream) into HTTP/2 frames: the head into HEADERS, the body into DATA, chunked
 * trailers into a closing HEADERS. The bytes come from our own writers ({@link HeadWriter}, {@link
 * Http1Encoder}, {@link ErrorResponse}), so they are well formed; they still arrive in pieces (a head
 * with the start of its body, a chunk-size line apart from its data), so the reader is a state machine
 * over whatever buffers come.
 *
 * <p>Connection-specific fields have no place in HTTP/2 (RFC 9113 section 8.2.2) and are dropped:
 * {@code Connection} and what it names, {@code Keep-Alive}, {@code Proxy-Connection},
 * {@code Transfer-Encoding}, {@code Upgrade}, {@code HTTP2-Settings}, and {@code TE} (a request to a
 * back end says {@code te: trailers}: we relay trailers). Names are lower-cased.
 *
 * <p>WebSocket over HTTP/2 (RFC 8441), told by {@link #webSocket()}: the back end's {@code 101} becomes
 * {@code :status 200} (without {@code Sec-WebSocket-Accept}, which answers the key we made up), and
 * every byte after it goes out raw in DATA frames until the tunnel ends ({@link #endAtClose()}).
 *
 * <p>Threading: one instance per stream, on the stream's event loop.
 */
final class H1ToH2 {
    private static final HeadParser.Limits OWN = new HeadParser.Limits(1 << 20, 1 << 20, 100_000);
    private static final AsciiString TE = AsciiString.cached("te");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");
    private static final int MAX_HEAD = 1 << 20;

    private static final int HEAD = 0;
    private static final int FIXED = 1;
    private static final int CHUNK_SIZE = 2;
    private static final int CHUNK_LINE_END = 3;
    private static final int CHUNK_DATA = 4;
    private static final int CHUNK_DATA_END = 5;
    private static final int TRAILER = 6;
    private static final int UNTIL_CLOSE = 7;
    private static final int DONE = 8;
    private static final int TUNNEL = 9;

    private static final AsciiString SEC_WEBSOCKET_ACCEPT = AsciiString.cached("sec-websocket-accept");

    private final boolean request;
    private final AsciiString scheme;
    private int state = HEAD;
    private long remaining;
    private int crlfLeft;
    /** Responses: to a HEAD request, so the head ends the stream whatever its content-length says. */
    private boolean headRequest;
    /** Responses: the request was an extended CONNECT for a WebSocket, so a 101 opens a tunnel. */
    private boolean webSocket;
    /** A head (or the trailer section) not complete in the buffers so far. */
    private ByteBuf pending;

    private H1ToH2(boolean request, AsciiString scheme) {
        this.request = request;
        this.scheme = scheme;
    }

    /** For a front-end stream: our responses. */
    static H1ToH2 responses() {
        return new H1ToH2(false, null);
    }

    /** For a back-end stream: our requests, sent with {@code scheme} ("http" or "https"). */
    static H1ToH2 requests(String scheme) {
        return new H1ToH2(true, AsciiString.cached(scheme));
    }

    /** The request this response answers was a HEAD. */
    void headRequest(boolean head) {
        headRequest = head;
    }

    /**
     * A response head for a front-end stream made straight from the back end's parsed head, without
     * HTTP/1.1 bytes in between (the common path: no copy, no second parse): the same fields the
     * HTTP/1.1 client would get, less the connection-specific ones.
     *
     * @param bodyless no body follows (HEAD, 204, 304): the HEADERS frame ends the stream
     * @param contentLength the body's length, or -1 when it comes chunked (as {@link Http1Encoder} writes it)
     */
    record ResponseHead(Http2Headers headers, boolean bodyless, long contentLength) {
        static ResponseHead of(Head resp, HeadEdits edits, boolean bodyless, long contentLength) {
            Http2Headers h = new DefaultHttp2Headers(false, resp.fields + 2);
            h.status(AsciiString.of(Integer.toString(resp.status)));
            byte[] a = resp.bytes;
            long drop = HeadWriter.RESPONSE_DROPS | HeadWriter.noBodyFraming(resp.status) | 1L << Head.TRANSFER_ENCODING;
            int via = -1;
            for (int i = 0; i < resp.fields; i++) {
                byte kind = resp.kind(i);
                long bit = 1L << kind;
                if (kind == Head.VIA && via < 0) via = i;
                if ((drop & bit) != 0 || ((HeadWriter.KEPT & bit) == 0 && resp.namedInConnection(i))
                        || (edits != null && edits.drops(resp, i))) {
                    continue;
                }
                int s = resp.start(i);
                int vs = resp.valueStart(i);
                h.add(new AsciiString(a, s, resp.colon(i) - s, true).toLowerCase(), new AsciiString(a, vs, resp.valueEnd(i) - vs, true));
            }
            if (edits != null) {
                for (byte[] line : edits.added()) {
                    int colon = 0;
                    while (line[colon] != ':') colon++;
                    int v = colon + 1;
                    while (v < line.length && line[v] == ' ') v++;
                    h.add(new AsciiString(line, 0, colon, true).toLowerCase(), new AsciiString(line, v, line.length - 2 - v, true));
                }
            }
            h.add(VIA, via < 0 ? VIA_VALUE : viaAfter(resp, via));
            return new ResponseHead(h, bodyless, contentLength);
        }

        private static AsciiString viaAfter(Head resp, int first) {
            StringBuilder sb = new StringBuilder();
            for (int i = first; i < resp.fields; i++) {
                if (resp.kind(i) != Head.VIA || resp.valueStart(i) == resp.valueEnd(i)) continue;
                if (!sb.isEmpty()) sb.append(", ");
                sb.append(new String(resp.bytes, resp.valueStart(i), resp.valueEnd(i) - resp.valueStart(i), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            if (!sb.isEmpty()) sb.append(", ");
            return new AsciiString(sb.append(VIA_VALUE));
        }
    }

    private static final AsciiString VIA = AsciiString.cached("via");
    private static final AsciiString VIA_VALUE = AsciiString.cached("1.1 switchboard");

    /** The head of a response made by {@link ResponseHead#of}; what follows are its body's bytes. */
    Http2StreamFrame head(ResponseHead r) {
        if (state != HEAD) throw new IllegalStateException("a response head in the middle of a response");
        boolean end = r.bodyless() || r.contentLength() == 0;
        if (end) {
            state = DONE;
        } else if (r.contentLength() > 0) {
            state = FIXED;
            remaining = r.contentLength();
        } else {
            state = CHUNK_SIZE;
            remaining = 0;
        }
        return new DefaultHttp2HeadersFrame(r.headers(), end);
    }

    /** The request this response answers is a WebSocket over HTTP/2 (RFC 8441). */
    void webSocket() {
        webSocket = true;
    }

    /** Whether the response became a WebSocket tunnel (its 200 went out). */
    boolean tunnel() {
        return state == TUNNEL;
    }

    /** Whether the message has ended (END_STREAM was produced). */
    boolean done() {
        return state == DONE;
    }

    /** A message ended by closing (a response without framing, a tunnel): what ends its stream, or null. */
    Http2StreamFrame endAtClose() {
        if (state != UNTIL_CLOSE && state != TUNNEL) return null;
        state = DONE;
        return new DefaultHttp2DataFrame(true);
    }

    /** Releases what is held (the stream is gone). */
    void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /**
     * Reads {@code in} (released here) and returns the frames it completes, in order.
     *
     * @throws IllegalStateException when the bytes are not an HTTP/1.1 message (a bug on our side)
     */
    List<Http2StreamFrame> write(ByteBuf in) {
        List<Http2StreamFrame> out = new ArrayList<>(2);
        try {
            while (in.isReadable()) {
                switch (state) {
                    case HEAD -> head(in, out);
                    case FIXED -> {
                        int n = (int) Math.min(remaining, in.readableBytes());
                        remaining -= n;
                        if (remaining == 0) state = DONE;
                        out.add(new DefaultHttp2DataFrame(in.readRetainedSlice(n), state == DONE));
                    }
                    case CHUNK_SIZE -> chunkSize(in, out);
                    case CHUNK_LINE_END, CHUNK_DATA_END -> {
                        byte b = in.readByte();
                        if (b == '\n' && --crlfLeft == 0) {
                            state = state == CHUNK_LINE_END ? CHUNK_DATA : CHUNK_SIZE;
                        } else if (b != '\r' && b != '\n') {
                            throw new IllegalStateException("bad chunk framing");
                        }
                    }
                    case CHUNK_DATA -> {
                        int n = (int) Math.min(remaining, in.readableBytes());
                        remaining -= n;
                        out.add(new DefaultHttp2DataFrame(in.readRetainedSlice(n), false));
                        if (remaining == 0) {
                            state = CHUNK_DATA_END;
                            crlfLeft = 1;
                        }
                    }
                    case TRAILER -> trailer(in, out);
                    case UNTIL_CLOSE, TUNNEL -> out.add(new DefaultHttp2DataFrame(in.readRetainedSlice(in.readableBytes()), false));
                    default -> throw new IllegalStateException(in.readableBytes() + " bytes after the end of the message");
                }
            }
            return out;
        } catch (RuntimeException e) {
            for (Http2StreamFrame f : out) {
                if (f instanceof DefaultHttp2DataFrame d) d.release();
            }
            throw e;
        } finally {
            in.release();
        }
    }

    // ---------------------------------------------------------------- heads

    private void head(ByteBuf in, List<Http2StreamFrame> out) {
        ByteBuf src = collect(in, true);
        if (src == null) return;
        byte[] bytes = ByteBufUtil.getBytes(src);
        int end = bytes.length;
        src.release();
        Head h = HeadParser.parse(bytes, end, request, OWN);
        if (h.failed()) throw new IllegalStateException("not an HTTP/1.1 head: " + h.failure);
        Http2Headers headers = new DefaultHttp2Headers(false, h.fields + 4);
        boolean endStream;
        if (request) {
            headers.method(h.method).scheme(scheme).path(h.uri());
            String host = h.host();
            if (host != null) headers.authority(host);
            copyFields(h, headers);
            headers.set(TE, TRAILERS);
            endStream = !h.chunked && h.contentLength <= 0;
        } else {
            headers.status(AsciiString.of(Integer.toString(h.status)));
            copyFields(h, headers);
            if (h.status == 101) {
                if (!webSocket) throw new IllegalStateException("a 101 to a request that asked for no WebSocket");
                headers.status(AsciiString.of("200"));
                headers.remove(SEC_WEBSOCKET_ACCEPT);
                out.add(new DefaultHttp2HeadersFrame(headers, false));
                state = TUNNEL;
                return; // bytes after the head in this buffer are the back end's first tunnel data
            }
            if (h.status < 200) {
                out.add(new DefaultHttp2HeadersFrame(headers, false));
                return; // the final head follows
            }
            boolean bodyless = headRequest || h.status == 204 || h.status == 304;
            endStream = bodyless || (!h.chunked && h.contentLength == 0);
            if (!bodyless && !h.chunked && h.contentLength < 0) state = UNTIL_CLOSE;
        }
        out.add(new DefaultHttp2HeadersFrame(headers, endStream));
        if (endStream) {
            state = DONE;
        } else if (state != UNTIL_CLOSE) {
            if (h.chunked) {
                state = CHUNK_SIZE;
                remaining = 0;
            } else {
                state = FIXED;
                remaining = h.contentLength;
            }
        }
    }

    private static void copyFields(Head h, Http2Headers headers) {
        byte[] a = h.bytes;
        for (int i = 0; i < h.fields; i++) {
            switch (h.kind(i)) {
                case Head.HOST, Head.CONNECTION, Head.KEEP_ALIVE, Head.PROXY_CONNECTION, Head.TRANSFER_ENCODING,
                     Head.UPGRADE, Head.HTTP2_SETTINGS, Head.TE -> { continue; }
                default -> { }
            }
            if (h.namedInConnection(i)) continue;
            int s = h.start(i);
            AsciiString name = new AsciiString(a, s, h.colon(i) - s, true).toLowerCase();
            int vs = h.valueStart(i);
            headers.add(name, new AsciiString(a, vs, h.valueEnd(i) - vs, true));
        }
    }

    /**
     * Gathers a section that ends with an empty line (a head, or the trailer section after the last
     * chunk's size line): returns it whole and takes it from {@code in}, or keeps what there is and
     * returns null.
     *
     * @param atStart the section starts a line (a head); false: the size line's CRLF was read, so the
     *                section may be just CRLF
     */
    private ByteBuf collect(ByteBuf in, boolean atStart) {
        ByteBuf buf = pending != null ? pending : null;
        int from = in.readerIndex();
        int to = in.writerIndex();
        // Look for the end in what is pending followed by `in`: CRLF CRLF, or a bare CRLF at the start.
        ByteBuf all;
        if (buf != null) {
            buf.writeBytes(in, from, to - from);
            in.readerIndex(to);
            all = buf;
        } else {
            all = in;
        }
        int end = endOfSection(all, atStart);
        if (end < 0) {
            if (buf == null) {
                pending = Unpooled.buffer(Math.max(256, in.readableBytes() * 2));
                pending.writeBytes(in);
            }
            if (pending.readableBytes() > MAX_HEAD) throw new IllegalStateException("head larger than " + MAX_HEAD + " bytes");
            return null;
        }
        if (buf != null) {
            // what follows the section in the pending buffer belongs to the body: give it back to `in`
            int extra = buf.writerIndex() - end;
            in.readerIndex(to - extra);
            ByteBuf section = buf.retainedSlice(buf.readerIndex(), end - buf.readerIndex());
            buf.release();
            pending = null;
            return section;
        }
        return in.readRetainedSlice(end - in.readerIndex());
    }

    /** The index just after the section's empty line in {@code b}, or -1. */
    private static int endOfSection(ByteBuf b, boolean atStart) {
        int r = b.readerIndex();
        int w = b.writerIndex();
        if (!atStart && w - r >= 2 && b.getByte(r) == '\r' && b.getByte(r + 1) == '\n') return r + 2;
        for (int i = r + 3; i < w; i++) {
            if (b.getByte(i) == '\n' && b.getByte(i - 1) == '\r' && b.getByte(i - 2) == '\n' && b.getByte(i - 3) == '\r') return i + 1;
        }
        return -1;
    }

    // ---------------------------------------------------------------- chunks

    private void chunkSize(ByteBuf in, List<Http2StreamFrame> out) {
        while (in.isReadable()) {
            byte b = in.readByte();
            int d = Character.digit(b, 16);
            if (d >= 0) {
                remaining = remaining * 16 + d;
                continue;
            }
            if (b == '\r') continue;
            if (b != '\n') throw new IllegalStateException("bad chunk size");
            if (remaining == 0) {
                state = TRAILER;
            } else {
                state = CHUNK_DATA;
            }
            return;
        }
    }

    private void trailer(ByteBuf in, List<Http2StreamFrame> out) {
        ByteBuf section = collect(in, false);
        if (section == null) return;
        state = DONE;
        try {
            if (section.readableBytes() <= 2) {
                out.add(new DefaultHttp2DataFrame(true));
                return;
            }
            // Parse the trailer lines as the fields of a head, with a made-up start line.
            byte[] lines = ByteBufUtil.getBytes(section);
            byte[] head = new byte[STATUS_LINE.length + lines.length];
            System.arraycopy(STATUS_LINE, 0, head, 0, STATUS_LINE.length);
            System.arraycopy(lines, 0, head, STATUS_LINE.length, lines.length);
            Head h = HeadParser.parse(head, head.length, false, OWN);
            if (h.failed()) throw new IllegalStateException("bad trailer section: " + h.failure);
            Http2Headers trailers = new DefaultHttp2Headers(false, h.fields);
            copyFields(h, trailers);
            out.add(new DefaultHttp2HeadersFrame(trailers, true));
        } finally {
            section.release();
        }
    }

    private static final byte[] STATUS_LINE = HeadWriter.ascii("HTTP/1.1 200 OK\r\n");
}
