package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
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
 * copy; the parser reads a plain array). A head that does not arrive in one read is collected in one
 * array of the connection's, grown geometrically, and the search for its end resumes where the last
 * read's stopped: a client sending a byte at a time costs linear work, not a rescan per byte. Bodies
 * are never copied: Content-Length payload and chunk
 * data are passed on as retained slices of the read buffer; the chunked coding is read by {@link
 * ChunkedBody}. A message that is refused yields a failed {@link Head} (or a failed last
 * {@link Body}); after that nothing more is read from the connection's bytes.
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
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private static final byte HEAD = 0;
    private static final byte FIXED = 1;
    private static final byte CHUNKED = 2;     // the body's framing is read by `chunks`
    private static final byte UNTIL_CLOSE = 3;
    private static final byte IDLE = 4;          // responses: between a response and the next expectResponseTo
    private static final byte BAD = 5;
    private static final byte UPGRADE_HELD = 6;  // requests: after a WebSocket handshake, until its answer
    private static final byte TUNNEL = 7;        // after a 101 to WebSocket: bytes passed on as they come

    /** Per event loop: heads that arrive in one read are copied here to find their end. */
    private static final FastThreadLocal<byte[][]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[][] initialValue() {
            return new byte[][] {new byte[4096]};
        }
    };

    private final boolean requests;
    private final HeadParser.Limits limits;
    private final FrontendHandler frontend;   // told when request bytes arrive (header timeout); may be null
    /** Not in the pipeline: messages go to {@link #frontend} by a call, not through a context. */
    private final boolean embedded;

    // A head not complete at the end of a read: its bytes pending[0, pendingLength), carried over.
    private byte[] pending;
    private int pendingLength;
    // The search for the end of the head being read, resumable across reads.
    private int scanFrom;           // bytes before this were searched
    private int headLineStart;      // where the line being searched starts
    private int firstLineEnd;       // the start line's LF, or -1 while not seen
    // Requests: when the current read arrived (0: not looked up yet in this read; taken only when a
    // head begins in it), and when the first byte of the head being read arrived.
    private long readNanos;
    private long headStartNanos;
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
        int max = limits.maxStartLine() + limits.maxHeaderBytes() + 2;
        if (pending != null) return moreHead(ctx, in, max);
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
        if (requests) {
            if (readNanos == 0) readNanos = System.nanoTime();
            headStartNanos = readNanos;
            // Only the first byte is checked here (the parser checks the rest): one that cannot begin a
            // method is refused at once instead of waiting for a head that will never come.
            byte first = in.getByte(r);
            if (!HeadParser.isTchar(first)) {
                refuse(ctx, in, Head.failed(true, 400, notARequest(first)));
                return false;
            }
        }
        scanFrom = 0;
        headLineStart = 0;
        firstLineEnd = -1;
        int avail = w - r;
        int n = Math.min(avail, 1024);
        byte[] a = scratch(n, 0);
        in.getBytes(r, a, 0, n);
        headBytesScanned += n;
        int end;
        while ((end = headEnd(a, n)) < 0 && n < avail && n <= max) {
            int more = Math.min(avail, Math.min(n * 4, max + 1));
            a = scratch(more, n);
            in.getBytes(r + n, a, n, more - n);
            headBytesScanned += more - n;
            n = more;
        }
        if (end < 0) {
            // n == avail here unless the head is already too large
            if (!refuseTooLong(ctx, in, n, max)) {
                pending = new byte[Math.min(Math.max(2 * n, 1024), max + 1)];
                System.arraycopy(a, 0, pending, 0, n);
                headBytesScanned += n;
                pendingLength = n;
                in.skipBytes(n);
                if (frontend != null) ClientDeadlines.headPending(frontend, headStartNanos);
            }
            return false;
        }
        byte[] bytes = Arrays.copyOf(a, end);
        in.skipBytes(end);
        return parsed(ctx, in, bytes, end);
    }

    /** The head begun in an earlier read goes on in {@code in}: only the new bytes are copied and searched. */
    private boolean moreHead(ChannelHandlerContext ctx, ByteBuf in, int max) {
        int had = pendingLength;
        int take = Math.min(in.readableBytes(), max + 1 - had);
        if (had + take > pending.length) pending = Arrays.copyOf(pending, Math.min(Math.max(2 * pending.length, had + take), max + 1));
        in.getBytes(in.readerIndex(), pending, had, take);
        headBytesScanned += take;
        pendingLength = had + take;
        int end = headEnd(pending, pendingLength);
        if (end < 0) {
            in.skipBytes(take);
            if (refuseTooLong(ctx, in, pendingLength, max)) pending = null;
            return false;
        }
        in.skipBytes(end - had);
        byte[] bytes = Arrays.copyOf(pending, end);
        pending = null;
        return parsed(ctx, in, bytes, end);
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

    /** Refuses an incomplete head of {@code n} bytes that can never become acceptable; false to wait for more. */
    private boolean refuseTooLong(ChannelHandlerContext ctx, ByteBuf in, int n, int max) {
        int startLine = firstLineEnd < 0 ? n : firstLineEnd + 1;
        String why;
        int status;
        if (startLine > limits.maxStartLine()) {
            why = (requests ? "request" : "status") + " line longer than " + limits.maxStartLine() + " bytes";
            status = 414;
        } else if (n > max) {
            why = (requests ? "request" : "response") + " header larger than " + limits.maxHeaderBytes() + " bytes";
            status = 431;
        } else {
            return false;
        }
        refuse(ctx, in, Head.failed(requests, requests ? status : 502, why));
        return true;
    }

    /**
     * The index after the empty line that ends the head in {@code a[0, n)}, or -1. Resumes the search
     * where the previous call for the same head stopped ({@link #scanFrom}, {@link #headLineStart}).
     */
    private int headEnd(byte[] a, int n) {
        headBytesScanned += n - scanFrom;
        int lf;
        while ((lf = HeadParser.find(a, scanFrom, n, LF)) >= 0) {
            scanFrom = lf + 1;
            if (headLineStart == 0) {
                firstLineEnd = lf;
            } else {
                int len = lf - headLineStart;
                if (len == 0 || (len == 1 && a[headLineStart] == CR)) return lf + 1;
            }
            headLineStart = lf + 1;
        }
        scanFrom = n;
        return -1;
    }

    private void requestFraming(ChannelHandlerContext ctx, Head h) {
        if (h.webSocketUpgrade()) {
            // Held from now on, told before the head goes up: an answer given at once (a route's
            // redirect, no server) resumes the parsing right away, within this read.
            state = UPGRADE_HELD;
            if (frontend != null) frontend.upgradeRequested();
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

    /** Why a request whose first byte is {@code b} is refused. */
    static String notARequest(byte b) {
        if (b == 0x16) {
            return "TLS on a plain-text listener (the first byte is 0x16, a TLS handshake record: this listener speaks plain HTTP)";
        }
        return "request line starts with " + HeadParser.hex(b) + ": not an HTTP request (a method is a token, RFC 9110 section 9.1)";
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, Head h) {
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

    /** The thread's scratch array, at least {@code n} long, keeping its first {@code keep} bytes. */
    private static byte[] scratch(int n, int keep) {
        byte[][] holder = SCRATCH.get();
        byte[] a = holder[0];
        if (a.length < n) {
            byte[] bigger = new byte[Math.max(n, a.length * 2)];
            System.arraycopy(a, 0, bigger, 0, keep);
            holder[0] = a = bigger;
        }
        return a;
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
