package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * Splits the bytes of one HTTP/1.x connection into messages: a {@link Head} for every message head,
 * then {@link Body} pieces, the last of them {@link Body#last}. One instance per channel, for requests
 * (client side) or responses (back-end side).
 *
 * <p>Heads are parsed whole by {@link HeadParser} from a copy of their bytes (a few hundred bytes, one
 * copy; the parser reads a plain array). Bodies are never copied: Content-Length payload and chunk
 * data are passed on as retained slices of the read buffer. Chunk sizes, extensions and trailers are
 * checked here byte by byte. A message that is refused yields a failed {@link Head} (or a failed last
 * {@link Body}); after that nothing more is read from the connection's bytes.
 *
 * <p>Responses: a final response head is held back until the first piece of its body or the end of
 * the read it came in, whichever is first, so that a body broken right from its start (a bad first
 * chunk size) fails the head too and the client gets a clean 502 instead of a response cut short.
 * Which responses have no body (to HEAD, 1xx, 204, 304) is known from {@link #expectResponseTo}.
 * A response without framing is read until the back end closes.
 *
 * <p>Threading: the channel's event loop.
 */
final class Http1Decoder extends ChannelInboundHandlerAdapter {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final int MAX_CHUNK_LINE = 4096;

    private static final int HEAD = 0;
    private static final int FIXED = 1;
    private static final int CHUNK_SIZE = 2;
    private static final int CHUNK_EXT = 3;
    private static final int CHUNK_SIZE_LF = 4;
    private static final int CHUNK_DATA = 5;
    private static final int CHUNK_DATA_CR = 6;
    private static final int CHUNK_DATA_LF = 7;
    private static final int TRAILER = 8;
    private static final int UNTIL_CLOSE = 9;
    private static final int BAD = 10;

    /** Per event loop: heads are copied here to find their end. */
    private static final FastThreadLocal<byte[][]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[][] initialValue() {
            return new byte[][] {new byte[4096]};
        }
    };

    private final boolean requests;
    private final HeadParser.Limits limits;
    private final FrontendHandler frontend;   // told when request bytes arrive (header timeout); may be null

    private ByteBuf partial;        // an incomplete head, carried to the next read
    private int state = HEAD;
    private long remaining;         // body or chunk bytes left
    private int digits;             // of the chunk size
    private int lineBytes;          // of the chunk-size line
    private byte[] trailer;         // trailer section being collected
    private int trailerLength;
    private int trailerLineStart;   // where the trailer line being collected starts
    private boolean bodylessResponse;
    private Head held;

    private Http1Decoder(boolean requests, HeadParser.Limits limits, FrontendHandler frontend) {
        this.requests = requests;
        this.limits = limits;
        this.frontend = frontend;
    }

    static Http1Decoder forRequests(HeadParser.Limits limits, FrontendHandler frontend) {
        return new Http1Decoder(true, limits, frontend);
    }

    static Http1Decoder forResponses(HeadParser.Limits limits) {
        return new Http1Decoder(false, limits, null);
    }

    /** The next response answers a request with this method: a HEAD request's response has no body. */
    void expectResponseTo(boolean headRequest) {
        bodylessResponse = headRequest;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == BAD) {
            in.release();
            return;
        }
        if (frontend != null && state == HEAD) frontend.onRequestBytes();
        if (partial != null) {
            ByteBuf joined = ctx.alloc().buffer(partial.readableBytes() + in.readableBytes());
            joined.writeBytes(partial).writeBytes(in);
            partial.release();
            in.release();
            partial = null;
            in = joined;
        }
        try {
            decode(ctx, in);
        } finally {
            if (in.isReadable() && state == HEAD && ctx.channel().isOpen()) {
                partial = in; // (a closed channel's inactive event may have run already: never keep bytes then)
            } else {
                in.release();
            }
            flushHeld(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePartial();
        flushHeld(ctx);
        if (state == UNTIL_CLOSE) {
            state = HEAD;
            ctx.fireChannelRead(Body.EMPTY_LAST); // a response delimited by the close: complete now
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePartial();
    }

    private void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }

    private void decode(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable() && state != BAD && ctx.channel().isOpen()) {
            switch (state) {
                case HEAD -> {
                    if (!head(ctx, in)) return;
                }
                case FIXED -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    ByteBuf data = in.readRetainedSlice(n);
                    remaining -= n;
                    boolean last = remaining == 0;
                    if (last) state = HEAD;
                    emitBody(ctx, new Body(data, last, null, null));
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    ByteBuf data = in.readRetainedSlice(n);
                    remaining -= n;
                    if (remaining == 0) state = CHUNK_DATA_CR;
                    emitBody(ctx, new Body(data, false, null, null));
                }
                case UNTIL_CLOSE -> emitBody(ctx, new Body(in.readRetainedSlice(in.readableBytes()), false, null, null));
                case TRAILER -> trailer(ctx, in);
                default -> chunkFraming(ctx, in);
            }
        }
    }

    // ---------------------------------------------------------------- heads

    /** Parses one head if it is complete; false when more bytes are needed (or it was refused). */
    private boolean head(ChannelHandlerContext ctx, ByteBuf in) {
        // Empty lines before a message are ignored (RFC 9112 section 2.2).
        int r = in.readerIndex();
        int w = in.writerIndex();
        while (r < w) {
            byte b = in.getByte(r);
            if (b != CR && b != LF) break;
            r++;
        }
        in.readerIndex(r);
        if (r == w) return false;
        int max = limits.maxStartLine() + limits.maxHeaderBytes() + 2;
        int avail = w - r;
        int n = Math.min(avail, 1024);
        byte[] a;
        int end;
        while (true) {
            a = scratch(n);
            in.getBytes(r, a, 0, n);
            end = headEnd(a, n);
            if (end >= 0 || n == avail || n > max) break;
            n = Math.min(avail, Math.min(n * 4, max + 1));
        }
        if (end < 0) {
            String tooLong = tooLong(a, n, max);
            if (tooLong != null) {
                refuse(ctx, in, Head.failed(requests, requests ? (tooLong.startsWith("request line") ? 414 : 431) : 502, tooLong));
            }
            return false;
        }
        byte[] bytes = Arrays.copyOf(a, end);
        in.skipBytes(end);
        Head h = HeadParser.parse(bytes, end, requests, limits);
        if (h.failed()) {
            refuse(ctx, in, h);
            return false;
        }
        if (requests) {
            requestFraming(ctx, h);
        } else {
            responseFraming(ctx, h);
        }
        return true;
    }

    /** Why an incomplete head can never become acceptable, or null to wait for more. */
    private String tooLong(byte[] a, int n, int max) {
        int lf = HeadParser.find(a, 0, n, LF);
        int startLine = lf < 0 ? n : lf + 1;
        if (startLine > limits.maxStartLine()) {
            return (requests ? "request" : "status") + " line longer than " + limits.maxStartLine() + " bytes";
        }
        if (n > max) return (requests ? "request" : "response") + " header larger than " + limits.maxHeaderBytes() + " bytes";
        return null;
    }

    /** The index after the empty line that ends the head in {@code a[0, n)}, or -1. */
    private static int headEnd(byte[] a, int n) {
        int lineStart = 0;
        int lf;
        while ((lf = HeadParser.find(a, lineStart, n, LF)) >= 0) {
            int len = lf - lineStart;
            if (lineStart > 0 && (len == 0 || (len == 1 && a[lineStart] == CR))) return lf + 1;
            lineStart = lf + 1;
        }
        return -1;
    }

    private void requestFraming(ChannelHandlerContext ctx, Head h) {
        ctx.fireChannelRead(h);
        if (h.chunked) {
            startChunk();
        } else if (h.contentLength > 0) {
            state = FIXED;
            remaining = h.contentLength;
        } else {
            ctx.fireChannelRead(Body.EMPTY_LAST);
        }
    }

    private void responseFraming(ChannelHandlerContext ctx, Head h) {
        int s = h.status;
        if (s < 200) {
            if (s == 101) state = BAD; // refused by the front end: nothing after it is HTTP
            ctx.fireChannelRead(h);    // 1xx: the final response follows
            return;
        }
        boolean bodyless = bodylessResponse || s == 204 || s == 304;
        bodylessResponse = false;
        if (bodyless || (!h.chunked && h.contentLength == 0)) {
            ctx.fireChannelRead(h);
            ctx.fireChannelRead(Body.EMPTY_LAST);
            return;
        }
        held = h;
        if (h.chunked) {
            startChunk();
        } else if (h.contentLength > 0) {
            state = FIXED;
            remaining = h.contentLength;
        } else {
            state = UNTIL_CLOSE;
        }
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, Head h) {
        state = BAD;
        in.skipBytes(in.readableBytes());
        ctx.fireChannelRead(h);
    }

    private static byte[] scratch(int n) {
        byte[][] holder = SCRATCH.get();
        if (holder[0].length < n) holder[0] = new byte[Math.max(n, holder[0].length * 2)];
        return holder[0];
    }

    // ---------------------------------------------------------------- bodies

    private void emitBody(ChannelHandlerContext ctx, Body b) {
        flushHeld(ctx);
        ctx.fireChannelRead(b);
    }

    private void flushHeld(ChannelHandlerContext ctx) {
        Head h = held;
        if (h != null) {
            held = null;
            ctx.fireChannelRead(h);
        }
    }

    private void failBody(ChannelHandlerContext ctx, ByteBuf in, String why) {
        state = BAD;
        in.skipBytes(in.readableBytes());
        Head h = held;
        if (h != null) {
            // Nothing of this response went out yet: refuse it as a whole.
            held = null;
            h.fail(502, "malformed response body: " + why);
            ctx.fireChannelRead(h);
            return;
        }
        ctx.fireChannelRead(Body.failed(why));
    }

    private void startChunk() {
        state = CHUNK_SIZE;
        remaining = 0;
        digits = 0;
        lineBytes = 0;
    }

    /** Chunk-size lines and the CRLF after chunk data, byte by byte. */
    private void chunkFraming(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.readByte();
            switch (state) {
                case CHUNK_SIZE -> {
                    int d = hexDigit(b);
                    if (d >= 0) {
                        if (remaining > (Integer.MAX_VALUE >> 4)) {
                            failBody(ctx, in, "chunk size too large");
                            return;
                        }
                        remaining = remaining * 16 + d;
                        digits++;
                    } else if (digits == 0) {
                        failBody(ctx, in, b == CR ? "empty chunk size" : "chunk size is not a hex number (invalid character " + HeadParser.hex(b) + ")");
                        return;
                    } else if (b == CR) {
                        state = CHUNK_SIZE_LF;
                    } else if (b == ';' || b == ' ' || b == '\t') {
                        state = CHUNK_EXT;
                    } else {
                        failBody(ctx, in, "invalid character " + HeadParser.hex(b) + " in a chunk size");
                        return;
                    }
                }
                case CHUNK_EXT -> {
                    if (b == CR) {
                        state = CHUNK_SIZE_LF;
                    } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                        failBody(ctx, in, "control character " + HeadParser.hex(b) + " in a chunk extension");
                        return;
                    } else if (++lineBytes > MAX_CHUNK_LINE) {
                        failBody(ctx, in, "chunk extension longer than " + MAX_CHUNK_LINE + " bytes");
                        return;
                    }
                }
                case CHUNK_SIZE_LF -> {
                    if (b != LF) {
                        failBody(ctx, in, "chunk size line not ended by CRLF");
                        return;
                    }
                    if (remaining == 0) {
                        state = TRAILER;
                        trailerLength = 0;
                        trailerLineStart = 0;
                    } else {
                        state = CHUNK_DATA;
                    }
                    return;
                }
                case CHUNK_DATA_CR -> {
                    if (b != CR) {
                        failBody(ctx, in, "chunk data longer than its chunk size, or not followed by CRLF");
                        return;
                    }
                    state = CHUNK_DATA_LF;
                }
                case CHUNK_DATA_LF -> {
                    if (b != LF) {
                        failBody(ctx, in, "chunk data not followed by CRLF");
                        return;
                    }
                    startChunk();
                }
                default -> {
                    return;
                }
            }
        }
    }

    /** The trailer section after the last chunk: collected line by line, checked, passed on raw. */
    private void trailer(ChannelHandlerContext ctx, ByteBuf in) {
        int r = in.readerIndex();
        int lf = in.indexOf(r, in.writerIndex(), LF);
        int n = (lf < 0 ? in.writerIndex() : lf + 1) - r;
        if (trailerLength + n > limits.maxHeaderBytes() + 2) {
            failBody(ctx, in, "trailer section larger than " + limits.maxHeaderBytes() + " bytes");
            return;
        }
        if (trailer == null || trailer.length < trailerLength + n) {
            trailer = Arrays.copyOf(trailer == null ? new byte[256] : trailer, Math.max(256, (trailerLength + n) * 2));
        }
        in.readBytes(trailer, trailerLength, n);
        trailerLength += n;
        if (lf < 0) return;
        int lineStart = trailerLineStart;
        trailerLineStart = trailerLength;
        int end = trailerLength - 1; // the LF
        if (end == lineStart || trailer[end - 1] != CR) {
            failBody(ctx, in, "bare LF in the trailer section");
            return;
        }
        if (end - 1 == lineStart) { // the empty line: the message is complete
            byte[] fields = lineStart == 0 ? null : Arrays.copyOf(trailer, lineStart);
            state = HEAD;
            trailer = null;
            emitBody(ctx, new Body(io.netty.buffer.Unpooled.EMPTY_BUFFER, true, fields, null));
            return;
        }
        String why = HeadParser.fieldLine(TRAILER_CHECK, trailer, lineStart, end - 1, 0, true);
        if (why != null) failBody(ctx, in, why);
    }

    /** A head only for checking trailer lines (nothing is recorded for trailers). */
    private static final Head TRAILER_CHECK = new Head(new byte[0], 0, true);

    private static int hexDigit(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }
}
