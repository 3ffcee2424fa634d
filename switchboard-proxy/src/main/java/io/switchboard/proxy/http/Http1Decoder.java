package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Splits the bytes of one HTTP/1.x connection into messages: a {@link Head} for every message head,
 * then {@link Body} pieces, the last of them {@link Body#last}. One instance per channel, for requests
 * (client side) or responses (back-end side).
 *
 * <p>Heads are found by {@link HeadFinder} (where each begins and ends, carried across reads) and parsed
 * whole by {@link HeadParser} from a copy of their bytes. Bodies are never copied: Content-Length
 * payload and chunk data are passed on as retained slices of the read buffer; the chunked coding is read
 * by {@link ChunkedBody}. A message that is refused yields a failed {@link Head} (or a failed last
 * {@link Body}); after that nothing more is read from the connection's bytes. The framing state is this
 * class's alone: {@link HeadFinder} writes only the head search's fields and refuses through {@link
 * #refuse}.
 *
 * <p>Responses: a final response head is held back until the first piece of its body or the end of
 * the read it came in, whichever is first, so that a body broken right from its start (a bad first
 * chunk size) fails the head too and the client gets a clean 502 instead of a response cut short.
 * Which responses have no body (to HEAD, 1xx, 204, 304) is known from {@link #expectResponseTo}.
 * A response without framing is read until the back end closes.
 *
 * <p>Between responses the decoder is idle: from the end of a response (and from the start) until the
 * next {@link #expectResponseTo}. A back end that sends anything while idle (a body after a response to
 * HEAD, more bytes than its Content-Length, a response nobody asked for) has broken the framing: those
 * bytes are dropped, nothing is emitted for them (whatever is emitted would reach the exchange that next
 * uses the connection, or none), the connection is closed and {@link #reusable()} is false from then on.
 * Bytes beyond the end of a response in the same read are found before its last {@link Body} is
 * passed on, so whoever gets that body already sees the connection as not reusable.
 *
 * <p>WebSocket (RFC 6455): after a request head that asks for it ({@link Head#webSocketUpgrade()}) the
 * request side parses nothing more: what follows is either tunnel data or, if the back end does not
 * switch, the next request, and that is only known from the answer. The bytes are held (the front end
 * stops reading meanwhile) until {@link #tunnel()} passes them on raw, or {@link #resume()} parses them
 * as HTTP. The response side, told {@link #expectUpgrade()}, turns into a pass-through at a {@code 101}
 * with {@code Upgrade: websocket}, bytes after the head in the same read included; any other 101 still
 * ends the parsing for good.
 *
 * <p>Embedded ({@link #embedIn}): a client connection's decoder need not be a pipeline handler of its own.
 * Its {@link FrontendHandler} passes it the bytes and gets the messages back by a call, so an idle
 * connection's pipeline has one handler context fewer (about 56 bytes of heap per connection).
 *
 * <p>Threading: the channel's event loop.
 */
final class Http1Decoder extends ChannelInboundHandlerAdapter {
    private static final byte HEAD = 0;
    private static final byte FIXED = 1;
    private static final byte CHUNKED = 2;     // the body's framing is read by `chunks`
    private static final byte UNTIL_CLOSE = 3;
    private static final byte IDLE = 4;          // responses: between a response and the next expectResponseTo
    private static final byte BAD = 5;
    private static final byte UPGRADE_HELD = 6;  // requests: after a WebSocket handshake, until its answer
    private static final byte TUNNEL = 7;        // after a 101 to WebSocket: bytes passed on as they come

    final boolean requests;
    final HeadParser.Limits limits;
    final FrontendHandler frontend;   // told when request bytes arrive (header timeout); may be null
    /** Not in the pipeline: messages go to {@link #frontend} by a call, not through a context. */
    private final boolean embedded;

    // The head search: written by HeadFinder (package-private for it alone), reset here.
    // A head not complete at the end of a read: its bytes pending[0, pendingLength), carried over.
    byte[] pending;
    int pendingLength;
    // The search for the end of the head being read, resumable across reads.
    int scanFrom;           // bytes before this were searched
    int headLineStart;      // where the line being searched starts
    int firstLineEnd;       // the start line's LF, or -1 while not seen
    // Requests: when the current read arrived (0: not looked up yet in this read; taken only when a
    // head begins in it), and when the first byte of the head being read arrived.
    long readNanos;
    long headStartNanos;
    /** Head bytes copied and searched (for a test that the work is linear in the head's size). */
    long headBytesScanned;

    private byte state;             // a byte: heap kept by every idle connection
    private long remaining;         // body or chunk bytes left
    /** The chunked body being read, made at the first one. */
    private ChunkedBody chunks;
    private boolean bodylessResponse;
    private Head held;
    private ChannelHandlerContext ctx;
    /** Requests: nothing was read yet, so an HTTP/2 connection preface may come (h2c). */
    private boolean firstRead;
    /** Requests: the first bytes, fewer than four, as far as they match the preface. */
    private ByteBuf prefaceStart;
    /** Requests: the bytes after a WebSocket handshake, while its answer is awaited. */
    private ByteBuf upgradeHeld;
    /** Responses: the request sent asked for a WebSocket, so a 101 to it is a tunnel. */
    private boolean upgradeAsked;

    private Http1Decoder(boolean requests, HeadParser.Limits limits, FrontendHandler frontend, boolean embedded) {
        this.requests = requests;
        this.limits = limits;
        this.frontend = frontend;
        this.embedded = embedded;
        this.state = requests ? HEAD : IDLE;
        this.firstRead = requests;
    }

    static Http1Decoder forRequests(HeadParser.Limits limits, FrontendHandler frontend) {
        return new Http1Decoder(true, limits, frontend, false);
    }

    /**
     * A request decoder owned by {@code frontend} instead of a handler before it: put only {@code frontend}
     * in the pipeline; it passes the bytes it reads here and gets the messages back.
     */
    static Http1Decoder embedIn(HeadParser.Limits limits, FrontendHandler frontend) {
        Http1Decoder d = new Http1Decoder(true, limits, frontend, true);
        frontend.decodeWith(d);
        return d;
    }

    static Http1Decoder forResponses(HeadParser.Limits limits) {
        return new Http1Decoder(false, limits, null, false);
    }

    /** Passes a decoded message (or raw bytes, once a tunnel) on: to the owning front end, or the next handler. */
    private void emit(ChannelHandlerContext ctx, Object msg) {
        if (embedded) {
            frontend.received(ctx, msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * A request was (or is about to be) sent: the next response answers it; a HEAD request's response
     * has no body. Ends the idle time; a connection no longer {@link #reusable()} stays so.
     */
    void expectResponseTo(boolean headRequest) {
        bodylessResponse = headRequest;
        upgradeAsked = false;
        if (state == IDLE) state = HEAD;
    }

    /** Responses: the request about to be sent asks for a WebSocket; call after {@link #expectResponseTo}. */
    void expectUpgrade() {
        upgradeAsked = true;
    }

    /** Requests: whether the bytes after a WebSocket handshake are being held. */
    boolean holdingUpgrade() {
        return state == UPGRADE_HELD;
    }

    /**
     * Requests: the handshake became a tunnel. From now on every read is passed on as it comes.
     *
     * @return the bytes that came after the handshake (the caller owns them), or null
     */
    ByteBuf tunnel() {
        state = TUNNEL;
        ByteBuf b = upgradeHeld;
        upgradeHeld = null;
        return b;
    }

    /** Requests: the handshake was answered without switching: what was held is parsed as HTTP now. */
    void resume() {
        if (state != UPGRADE_HELD) return;
        state = HEAD;
        ByteBuf b = upgradeHeld;
        upgradeHeld = null;
        if (b != null && ctx != null) channelRead(ctx, b);
        else if (b != null) b.release();
    }

    /**
     * Requests: the handshake was answered without switching. On a connection what was held is parsed
     * as HTTP now ({@link #resume()}); an HTTP/2 stream carries one request, so what its client sent
     * after a refused WebSocket is not one: dropped, and so is whatever follows (passed on raw from now
     * on, which the front end drops).
     */
    void upgradeRefused(boolean stream) {
        if (!stream) {
            resume();
            return;
        }
        ByteBuf b = tunnel();
        if (b != null) b.release();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Responses: whether the connection can carry another exchange, i.e. the last response is complete
     * and nothing came after it. False in the middle of a response, and for good once the back end
     * sent bytes beyond a response (the connection is then closed). Always false for requests.
     */
    boolean reusable() {
        return state == IDLE;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in) || state == TUNNEL) {
            emit(ctx, msg);
            return;
        }
        if (state == BAD) {
            in.release();
            return;
        }
        if (firstRead) {
            if (prefaceStart != null) {
                in = ctx.alloc().compositeBuffer(2).addComponents(true, prefaceStart, in);
                prefaceStart = null;
            }
            int prefix = prefacePrefix(in);
            boolean h2c = prefix > 0 && frontend != null && frontend.h2cAllowed();
            if (h2c && prefix < PRI.length) {
                prefaceStart = in; // a client sending the preface a byte at a time: wait for four
                return;
            }
            firstRead = false;
            if (h2c) {
                frontend.switchToH2c(ctx, in); // takes `in`
                return;
            }
        }
        if (frontend != null && state == HEAD) ClientDeadlines.requestBytes(frontend);
        readNanos = 0;
        try {
            decode(ctx, in);
        } finally {
            in.release();
            flushHeld(ctx);
        }
    }

    /**
     * How many of the first four bytes of the HTTP/2 preface ("PRI * HTTP/2.0", RFC 9113 section 3.4)
     * the connection's first bytes match: 0 when they differ, 4 when they start with it. PRI is no
     * HTTP/1.1 method anyone uses, so four bytes decide.
     */
    private static int prefacePrefix(ByteBuf in) {
        int n = Math.min(PRI.length, in.readableBytes());
        if (n == 0) return 0;
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != PRI[i]) return 0;
        }
        return n;
    }

    private static final byte[] PRI = {'P', 'R', 'I', ' '};

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pending = null;
        releaseUpgradeHeld();
        releasePrefaceStart();
        flushHeld(ctx);
        if (state == UNTIL_CLOSE) {
            state = IDLE;
            emit(ctx, Body.EMPTY_LAST); // a response delimited by the close: complete now
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        pending = null;
        releaseUpgradeHeld();
        releasePrefaceStart();
    }

    /** Embedded: the connection closed; lets go of held bytes (the front end handles the event itself). */
    void closed() {
        handlerRemoved(ctx);
    }

    private void releasePrefaceStart() {
        ByteBuf b = prefaceStart;
        prefaceStart = null;
        if (b != null) b.release();
    }

    private void releaseUpgradeHeld() {
        ByteBuf b = upgradeHeld;
        upgradeHeld = null;
        if (b != null) b.release();
    }

    /** Keeps what came after a WebSocket handshake (the front end reads no more meanwhile). */
    private void holdForUpgrade(ChannelHandlerContext ctx, ByteBuf in) {
        ByteBuf more = in.readRetainedSlice(in.readableBytes());
        if (upgradeHeld == null) {
            upgradeHeld = more;
        } else {
            CompositeByteBuf c = upgradeHeld instanceof CompositeByteBuf cb ? cb : ctx.alloc().compositeBuffer(16).addComponent(true, upgradeHeld);
            upgradeHeld = c.addComponent(true, more);
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
                    if (last) messageEnds(ctx, in);
                    emitBody(ctx, new Body(data, last, null, null));
                }
                case CHUNKED -> {
                    Body b = chunks.read(in);
                    if (b != null) {
                        if (b.last) messageEnds(ctx, in);
                        emitBody(ctx, b);
                    } else if (chunks.failure() != null) {
                        failBody(ctx, in, chunks.failure());
                    }
                }
                case UNTIL_CLOSE -> emitBody(ctx, new Body(in.readRetainedSlice(in.readableBytes()), false, null, null));
                case IDLE -> overrun(ctx, in);
                case UPGRADE_HELD -> holdForUpgrade(ctx, in);
                case TUNNEL -> emit(ctx, in.readRetainedSlice(in.readableBytes()));
                default -> throw new IllegalStateException("decoder state " + state);
            }
        }
    }

    // ---------------------------------------------------------------- heads

    /** Parses one head if it is complete; false when more bytes are needed (or it was refused). */
    private boolean head(ChannelHandlerContext ctx, ByteBuf in) {
        byte[] bytes = HeadFinder.head(this, ctx, in);
        return bytes != null && parsed(ctx, in, bytes, bytes.length);
    }

    private boolean parsed(ChannelHandlerContext ctx, ByteBuf in, byte[] bytes, int end) {
        Head h = HeadParser.parse(bytes, end, requests, limits);
        if (h.failed()) {
            refuse(ctx, in, h);
            return false;
        }
        if (requests) {
            h.arrivalNanos = headStartNanos;
            requestFraming(ctx, h);
        } else {
            responseFraming(ctx, in, h);
        }
        return true;
    }

    private void requestFraming(ChannelHandlerContext ctx, Head h) {
        if (h.webSocketUpgrade()) {
            // Held from now on, told before the head goes up: an answer given at once (a route's
            // redirect, no server) resumes the parsing right away, within this read.
            state = UPGRADE_HELD;
            if (frontend != null) ClientUpgrade.requested(frontend);
            emit(ctx, h);
            emit(ctx, Body.EMPTY_LAST);
            return;
        }
        emit(ctx, h);
        if (h.chunked) {
            startChunked();
        } else if (h.contentLength > 0) {
            state = FIXED;
            remaining = h.contentLength;
        } else {
            emit(ctx, Body.EMPTY_LAST);
        }
    }

    private void responseFraming(ChannelHandlerContext ctx, ByteBuf in, Head h) {
        int s = h.status;
        if (s < 200) {
            if (s == 101 && upgradeAsked && h.upgradeWebSocket) {
                state = TUNNEL; // what follows in this read is the back end's first tunnel data
            } else if (s == 101) {
                state = BAD; // refused by the front end: nothing after it is HTTP
            }
            emit(ctx, h);    // 1xx: the final response follows
            return;
        }
        boolean bodyless = bodylessResponse || s == 204 || s == 304;
        bodylessResponse = false;
        if (bodyless || (!h.chunked && h.contentLength == 0)) {
            messageEnds(ctx, in);
            emit(ctx, h);
            emit(ctx, Body.EMPTY_LAST);
            return;
        }
        held = h;
        if (h.chunked) {
            startChunked();
        } else if (h.contentLength > 0) {
            state = FIXED;
            remaining = h.contentLength;
        } else {
            state = UNTIL_CLOSE;
        }
    }

    /** Refuses the head being read (also for {@link HeadFinder}): nothing more is read from the connection. */
    void refuse(ChannelHandlerContext ctx, ByteBuf in, Head h) {
        if (requests) h.arrivalNanos = headStartNanos;
        state = BAD;
        pending = null;
        in.skipBytes(in.readableBytes());
        emit(ctx, h);
    }

    /**
     * A message is complete (its last body piece is about to be passed on). Requests: the next head may
     * follow. Responses: idle until the next request, unless more bytes follow it in this read.
     */
    private void messageEnds(ChannelHandlerContext ctx, ByteBuf in) {
        if (requests) {
            state = HEAD;
        } else if (in.isReadable()) {
            overrun(ctx, in);
        } else {
            state = IDLE;
        }
    }

    /** Bytes from the back end that no request asked for: the connection's framing is lost. */
    private void overrun(ChannelHandlerContext ctx, ByteBuf in) {
        state = BAD;
        in.skipBytes(in.readableBytes());
        ctx.close();
    }

    // ---------------------------------------------------------------- bodies

    private void emitBody(ChannelHandlerContext ctx, Body b) {
        flushHeld(ctx);
        emit(ctx, b);
    }

    private void flushHeld(ChannelHandlerContext ctx) {
        Head h = held;
        if (h != null) {
            held = null;
            emit(ctx, h);
        }
    }

    private void startChunked() {
        if (chunks == null) chunks = new ChunkedBody(limits.maxHeaderBytes());
        chunks.start();
        state = CHUNKED;
    }

    private void failBody(ChannelHandlerContext ctx, ByteBuf in, String why) {
        state = BAD;
        in.skipBytes(in.readableBytes());
        Head h = held;
        if (h != null) {
            // Nothing of this response went out yet: refuse it as a whole.
            held = null;
            h.fail(502, "malformed response body: " + why);
            emit(ctx, h);
            return;
        }
        emit(ctx, Body.failed(why));
    }

}
