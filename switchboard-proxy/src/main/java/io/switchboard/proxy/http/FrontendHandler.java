package io.switchboard.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.backend.Backend;
import io.switchboard.balance.KeyHash;
import io.switchboard.balance.PickContext;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads requests, dispatches each to a back end, relays the response.
 *
 * <p>One exchange at a time. Pipelined requests wait in {@link #inbound} and are answered in order.
 *
 * <p>Back-pressure: both channels read automatically and reading is switched off only when the
 * other side stops being writable (or more than {@link #MAX_QUEUED} messages are waiting), and on
 * again when it drains. So a 1 GB body in either direction moves through bounded memory. This
 * deviates from "AUTO_READ off, read after each write" on purpose: with Netty's epoll transport every
 * explicit read cycle clears and re-arms EPOLLIN, two {@code epoll_ctl} calls per channel per
 * read, about four extra system calls per proxied request; toggling only under back-pressure
 * removes them from the common path (measured in bench/RESULTS.md).
 *
 * <p>Failures (seed 002: "loss of a single server will only slightly affect overall site
 * performance"): a connect failure, or a reset before the response head of a request whose bytes can
 * safely be sent again (no body sent, and idempotent or on a reused connection that went stale), is
 * redispatched to another back end up to the pool's {@code retries}. Non-idempotent requests never
 * borrow an idle connection (HAProxy's {@code http-reuse safe}), so a stale keep-alive connection can
 * never make them fail or be replayed. A response timeout answers 504, a broken response 502, no
 * eligible back end 503. Every outcome feeds the back end's live counters and passive health.
 *
 * <p>Threading: the channel's event loop; the back-end channel is on the same loop, so no state here
 * is shared across threads.
 */
public final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

    private final ProxyState state;
    private final ListenerConfig listener;
    private final String proto;
    private ChannelHandlerContext ctx;
    private BackendConnections connections;
    private String clientIp = "-";
    private byte[] clientIpBytes = HeadWriter.ascii("-");
    private static final byte[] PROTO_HTTP = HeadWriter.ascii("http");

    /** Messages read but not yet processed: body chunks waiting for a back end, pipelined requests. */
    private final ArrayDeque<Object> inbound = new ArrayDeque<>(4);
    /** Queued messages beyond which the client is not read (pipelining and pre-connect body bound). */
    static final int MAX_QUEUED = 16;
    /**
     * Pipelined request heads kept waiting at most. Reading stops at {@link #MAX_QUEUED}, but what one
     * read already holds is decoded: beyond this many heads the rest is dropped, the requests kept are
     * answered, and the connection is closed (as HAProxy and Netty's codec do; a client that pipelines
     * this deep without reading answers is broken or hostile).
     */
    static final int MAX_PIPELINED = 128;
    private int queuedHeads;
    private boolean pipelineOverflow;

    // The current exchange; request == null means waiting for the next request head.
    private Head request;
    private String method;
    private String uri;
    private boolean clientHttp10;
    private String clientVersion;      // for the access log; null before a request line was read
    private boolean requestChunked;    // the request body goes on chunked (as it came)
    private boolean responseChunked;   // the response body goes to the client chunked
    private boolean responseBodyless;  // the response to the client has no body (HEAD, 204, 304)
    private boolean clientKeepAlive;
    private boolean idempotent;
    private boolean requestDone;       // LastHttpContent read from the client
    private boolean requestSent;       // LastHttpContent written to the back end
    private boolean bodySent;          // some body bytes went to a back end: no replay any more
    private boolean expectContinue;
    private long requestBodyLimit;
    private Pool pool;
    private PoolConfig poolConfig;
    private Backend backend;
    private Channel backendChannel;
    private BackendHandler backendHandler;   // the last handler of backendChannel
    private boolean backendReady;
    private boolean reusedConnection;
    private boolean dispatched;
    private boolean responseStarted;
    private boolean backendKeepAlive;
    private boolean closeAfterResponse;
    private int status;
    private int attempts;
    private int retries;
    private int retryAfter;           // seconds for a refusal's Retry-After; 0: none of our own
    private Set<Backend> excluded;
    private long startNanos;
    private long sentNanos;
    private long bytesIn;
    private long bytesOut;
    private String cause = "-";
    // One deadline for whatever phase the connection is in, checked by the loop's ConnectionTimers.
    private static final byte NO_DEADLINE = 0, IDLE = 1, HEAD = 2, RESPONSE = 3, BODY = 4, QUEUE = 5;
    private DispatchQueue queuedOn;   // non-null while waiting for a back end below max-connections
    private long queueDeadline;
    private long bodyWindowBytes;
    private long backendActivity;     // coarse time of the last read from the back end
    /** The response head, until the first body piece (copied into it when small) or the end of the read. */
    private ByteBuf pendingHead;
    /** Body pieces up to this size are sent in the head's buffer. */
    static final int MERGE_LIMIT = 2048;
    private long deadline;
    private byte deadlineKind;
    int timerSlot = -1;
    private ConnectionTimers timers;
    private boolean closing;

    public FrontendHandler(ProxyState state, ListenerConfig listener) {
        this.state = state;
        this.listener = listener;
        this.proto = "http";
    }

    // ---------------------------------------------------------------- client side

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connections = state.connections(ctx.channel().eventLoop());
        timers = state.timers(ctx.channel().eventLoop());
        timers.register(this);
        setDeadline(IDLE, System.nanoTime() + listener.clientIdleTimeout().toNanos());
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            clientIp = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            clientIpBytes = HeadWriter.ascii(clientIp);
        }
        ctx.fireChannelActive();
    }

    /** Called by {@link RequestHeadTimer} when the first byte of a request head arrives. */
    void onRequestBytes() {
        if (request == null && deadlineKind == IDLE && !closing) {
            setDeadline(HEAD, System.nanoTime() + listener.headerTimeout().toNanos());
        }
    }

    private void setDeadline(byte kind, long at) {
        deadlineKind = kind;
        deadline = at;
    }

    private void clearDeadline(byte kind) {
        if (deadlineKind == kind) {
            deadlineKind = NO_DEADLINE;
            deadline = 0;
        }
    }

    /** Called by the loop's tick. */
    void checkDeadline(long now) {
        if (responseStarted && backendChannel != null) backendIdleCheck(now);
        if (deadlineKind == NO_DEADLINE || now - deadline < 0) return;
        byte kind = deadlineKind;
        deadlineKind = NO_DEADLINE;
        deadline = 0;
        switch (kind) {
            case IDLE -> {
                if (request == null && inbound.isEmpty() && !closing) {
                    closing = true;
                    ctx.close(); // keep-alive idle timeout between requests: close quietly
                }
            }
            case HEAD -> headTimeout();
            case RESPONSE -> responseTimeout();
            case BODY -> bodyRateCheck(now);
            case QUEUE -> queueTimeout();
            default -> { }
        }
    }

    /**
     * Slowloris on bodies: a client that trickles a request body holds a back-end connection. Every
     * window it must have sent {@code minBodyRate * window} bytes, unless the proxy itself paused
     * reading it (back end not writable, or not yet connected): then the window starts over.
     */
    private void bodyRateCheck(long now) {
        if (request == null || requestDone || closing) return;
        long windowNanos = listener.bodyRateWindow().toNanos();
        long needed = listener.minBodyRate() * windowNanos / 1_000_000_000L;
        boolean pausedByUs = !ctx.channel().config().isAutoRead() || !backendReady;
        if (pausedByUs || bodyWindowBytes >= needed) {
            bodyWindowBytes = 0;
            setDeadline(BODY, now + windowNanos);
            return;
        }
        cause = "request body slower than " + listener.minBodyRate() + " bytes/s (" + bodyWindowBytes + " bytes in "
                + listener.bodyRateWindow().toMillis() + " ms)";
        if (responseStarted) {
            completeBackendQuietly();
            abortMidResponse();
            return;
        }
        completeBackendQuietly(); // the client's fault, not the back end's
        respondError(HttpResponseStatus.REQUEST_TIMEOUT, "request body too slow", true);
    }

    private void queueTimeout() {
        DispatchQueue q = queuedOn;
        if (q == null || request == null || closing) return;
        queuedOn = null;
        q.remove(this);
        cause = "waited " + poolConfig.queueTimeout().toMillis() + " ms in the queue of pool '" + pool.name()
                + "': every back end at max-connections";
        respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "all back ends busy", false);
    }

    /** Called from any thread by the pool's queue when a back end freed a slot. */
    void wake() {
        ctx.executor().execute(this::dequeued);
    }

    private void dequeued() {
        DispatchQueue q = queuedOn;
        if (q == null || request == null || closing) {
            // We left the queue meanwhile (timeout, client gone): pass the freed slot on.
            if (q != null) q.wakeOne();
            else if (pool != null) state.queue(pool).wakeOne();
            return;
        }
        queuedOn = null;
        clearDeadline(QUEUE);
        dispatch();
    }

    private void headTimeout() {
        if (request != null || closing || !ctx.channel().isActive()) return;
        // Slowloris guard: a request head that does not complete in time.
        cause = "request head not received within " + listener.headerTimeout().toMillis() + " ms";
        method = "-";
        uri = "-";
        clientVersion = null;
        clientHttp10 = false;
        startNanos = System.nanoTime();
        respondError(HttpResponseStatus.REQUEST_TIMEOUT, "request head not received in time", true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Head || msg instanceof Body) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (request != null && !requestDone && backendReady && inbound.isEmpty()) {
            forwardBody(msg); // the streaming fast path
            return;
        }
        if (msg instanceof Head) {
            if (pipelineOverflow || queuedHeads >= MAX_PIPELINED) {
                if (!pipelineOverflow) {
                    log.debug("client {}: pipelined more than {} requests, answering those, then closing", clientIp, MAX_PIPELINED);
                }
                pipelineOverflow = true;
                clientReads(false);
                return;
            }
            queuedHeads++;
        } else if (pipelineOverflow) {
            ReferenceCountUtil.release(msg);
            return;
        }
        inbound.addLast(msg);
        if (inbound.size() >= MAX_QUEUED) clientReads(false);
        drain();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (backendChannel != null && backendReady) backendChannel.flush();
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && backendChannel != null) {
            setAutoRead(backendChannel, true); // the client drained: read the back end again
        }
        ctx.fireChannelWritabilityChanged();
    }

    private static void setAutoRead(Channel ch, boolean on) {
        if (ch.config().isAutoRead() != on) ch.config().setAutoRead(on);
    }

    /** Switches reading the client on or off; on only when there is room for what it would send. */
    private void clientReads(boolean on) {
        if (on && (closing || pipelineOverflow || inbound.size() >= MAX_QUEUED
                || (request != null && !requestDone && backendReady && !backendChannel.isWritable()))) {
            return;
        }
        setAutoRead(ctx.channel(), on);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (pendingHead != null) {
            pendingHead.release();
            pendingHead = null;
        }
        cancelTimers();
        if (timers != null) timers.unregister(this);
        if (queuedOn != null) {
            queuedOn.remove(this);
            queuedOn = null;
        }
        if (request != null) {
            if (status == 0) {
                status = 499; // nginx's "client closed request"
                cause = "client closed connection";
            }
            if (backendChannel != null) {
                releaseBackend(false);
            }
            completeBackendQuietly(); // the client left: not the back end's fault
            finishAccounting(false);
        }
        releaseInbound();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof java.io.IOException)) {
            log.warn("client {}: unexpected error, closing: {}", clientIp, cause.toString(), cause);
        }
        ctx.close();
    }

    /** Processes queued messages as far as the current state allows. */
    private void drain() {
        Object next;
        while (!closing) {
            if (request == null) {
                next = inbound.pollFirst();
                if (next == null) return;
                if (next instanceof Head req) {
                    queuedHeads--;
                    startExchange(req);
                } else {
                    ReferenceCountUtil.release(next); // remains of a request we already answered
                }
            } else if (!requestDone && backendReady) {
                next = inbound.pollFirst();
                if (next == null) return;
                forwardBody(next);
            } else {
                return;
            }
        }
    }

    private void startExchange(Head req) {
        cancelHeadTimer();
        request = req;
        startNanos = System.nanoTime();
        state.exchangeStarted();
        method = req.method == null ? "-" : req.method;
        uri = null; // made from the head only if something asks (access record, path affinity, debug log)
        clientHttp10 = req.http10;
        clientVersion = req.length == 0 ? null : req.versionText();
        requestDone = false;
        requestSent = false;
        bodySent = false;
        responseStarted = false;
        dispatched = false;
        status = 0;
        attempts = 0;
        bytesIn = 0;
        bytesOut = 0;
        cause = "-";
        excluded = null;
        backend = null;
        closeAfterResponse = false;
        queueDeadline = 0;

        if (req.failed()) {
            rejectMalformed(req);
            return;
        }
        clientKeepAlive = req.keepAlive && !state.draining();
        idempotent = isIdempotent(method);
        if (!clientHttp10 && !req.hasHost) {
            respondError(HttpResponseStatus.BAD_REQUEST, "missing Host header", true);
            return;
        }
        expectContinue = false;
        if (req.expect != Head.EXPECT_NONE) {
            if (req.expect != Head.EXPECT_CONTINUE || clientHttp10) {
                respondError(HttpResponseStatus.EXPECTATION_FAILED, "unsupported expectation", true);
                return;
            }
            // We answer 100 ourselves once a back end is connected; the back end sees a plain request.
            expectContinue = true;
        }

        String poolName = listener.defaultPool();
        pool = state.pool(poolName);
        poolConfig = state.poolConfig(poolName);
        if (pool == null || poolConfig == null) {
            respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "no pool '" + poolName + "'", false);
            return;
        }
        retries = poolConfig.retries();
        requestBodyLimit = poolConfig.maxBodyBytes();
        if (requestBodyLimit > 0 && req.contentLength > requestBodyLimit) {
            respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body larger than " + requestBodyLimit + " bytes", true);
            return;
        }
        requestChunked = req.chunked;
        if (listener.minBodyRate() > 0 && (req.chunked || req.contentLength > 0)) {
            bodyWindowBytes = 0;
            setDeadline(BODY, startNanos + listener.bodyRateWindow().toNanos());
        }
        dispatch();
    }

    /** A request the decoder or a guard refused: answer with its status and close. */
    private void rejectMalformed(Head req) {
        HttpResponseStatus st = HttpResponseStatus.valueOf(req.failureStatus);
        String reason = switch (req.failureStatus) {
            case 414 -> "request line too long";
            case 431 -> "request header too large";
            case 403 -> "your address may not use this service";
            case 429 -> "too many requests, slow down";
            default -> "malformed request";
        };
        cause = req.failure;
        retryAfter = req.retryAfter;
        respondError(st, reason, true);
    }

    private static boolean isIdempotent(String m) {
        return switch (m) {
            case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
            default -> false;
        };
    }

    // ---------------------------------------------------------------- choosing and connecting

    private void dispatch() {
        while (true) {
            if (closing) return;
            attempts++;
            long now = System.nanoTime();
            PickContext pc = new PickContext(affinityHash(), now, ThreadLocalRandom.current(),
                    excluded == null ? Set.of() : excluded);
            Backend b = pool.pick(pc);
            // Counted from the pick, not from the connection: requests still connecting count
            // against max-connections and least-conn. The limit check and the count are atomic.
            if (b != null && !b.tryDispatch()) {
                b = pickBelowLimit(b, pc, true);
                if (b == null) {
                    attempts--; // waiting is not an attempt
                    enqueue(now, pc);
                    return;
                }
            }
            if (b == null) {
                String why = excluded == null ? "no back end available in pool '" + pool.name() + "'"
                        : "all back ends tried failed in pool '" + pool.name() + "'";
                if (cause.equals("-")) cause = why; else cause = why + "; last: " + cause;
                respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, why, false);
                return;
            }
            backend = b;
            dispatched = true;
            Channel ch = idempotent ? connections.poll(b) : null;
            if (ch != null) {
                reusedConnection = true;
                attach(ch);
                return;
            }
            reusedConnection = false;
            ChannelFuture f = connections.connect(b, poolConfig.connectTimeout().toMillis(),
                    poolConfig.backendIdleTimeout().toMillis());
            if (f.isDone()) {
                if (f.isSuccess()) {
                    attach(f.channel());
                    return;
                }
                if (!connectFailed(b, f.cause())) return;
                continue;
            }
            final Backend target = b;
            f.addListener((ChannelFutureListener) done -> {
                if (closing) {
                    if (done.isSuccess()) done.channel().close();
                    return;
                }
                if (done.isSuccess()) {
                    attach(done.channel());
                } else if (connectFailed(target, done.cause())) {
                    dispatch();
                }
            });
            return;
        }
    }

    /**
     * The picked back end is at max-connections: ask again without the full ones.
     *
     * @param reserve count the request on the back end found ({@link Backend#tryDispatch()}), or
     *                only look whether there is one
     */
    private Backend pickBelowLimit(Backend first, PickContext pc, boolean reserve) {
        Set<Backend> skip = new HashSet<>(pc.exclude());
        skip.add(first);
        int n = pool.snapshot().backends().size();
        for (int i = 0; i < n; i++) {
            Backend c = pool.pick(new PickContext(pc.hash(), pc.nowNanos(), pc.random(), skip));
            if (c == null) return null;
            if (reserve ? c.tryDispatch() : !c.full()) return c;
            skip.add(c);
        }
        return null;
    }

    private void enqueue(long now, PickContext pc) {
        DispatchQueue q = state.queue(pool);
        // A waiter that was woken and lost the freed slot to a newer request keeps its place at the
        // front; the length limit applies to new waiters only.
        if (queueDeadline != 0) {
            q.offerFirst(this);
        } else if (!q.offer(this, poolConfig.queueSize())) {
            cause = "queue of pool '" + pool.name() + "' full (" + poolConfig.queueSize() + " waiting)";
            respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "all back ends busy", false);
            return;
        }
        queuedOn = q;
        if (queueDeadline == 0) queueDeadline = now + poolConfig.queueTimeout().toNanos();
        setDeadline(QUEUE, queueDeadline);
        // A slot freed on another event loop between our look and the offer woke nobody (the queue
        // was empty then): look once more, now that we are in the queue, so it is not lost.
        Backend p = pool.pick(pc);
        if (p != null && (!p.full() || pickBelowLimit(p, pc, false) != null)) q.wakeOne();
    }

    private long affinityHash() {
        return switch (pool.algorithm().affinityKey()) {
            case NONE -> 0;
            case CLIENT_ADDRESS -> KeyHash.ofChars(clientIp);
            case PATH -> {
                String u = uri();
                int q = u.indexOf('?');
                yield KeyHash.ofChars(u, 0, q < 0 ? u.length() : q);
            }
        };
    }

    /** @return true when another attempt should be made */
    private boolean connectFailed(Backend b, Throwable why) {
        String what = describe(why);
        cause = "connect to " + b.name() + " (" + b.address() + ") failed: " + what;
        log.debug("{}", cause);
        int consecutive;
        if (dispatched && backend == b) {
            dispatched = false;
            consecutive = b.onComplete(false, -1, System.nanoTime());
            if (b.maxConnections() > 0) state.queue(pool).wakeOne();
        } else {
            consecutive = b.onConnectFailure();
        }
        passiveFailure(b, consecutive, "connect " + what);
        exclude(b);
        backend = null;
        if (attempts <= retries) return true;
        respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "no back end could be reached", false);
        return false;
    }

    private void exclude(Backend b) {
        if (excluded == null) excluded = new HashSet<>(4);
        excluded.add(b);
    }

    private void attach(Channel ch) {
        backendChannel = ch;
        BackendHandler bh = (BackendHandler) ch.pipeline().get("backend");
        backendHandler = bh;
        bh.attach(this);
        bh.decoder().expectResponseTo(request.isHead());
        backendReady = true;
        backendKeepAlive = true;
        sentNanos = System.nanoTime();
        ch.write(HeadWriter.request(ch.alloc(), request, clientIpBytes, PROTO_HTTP, request.expect == Head.EXPECT_CONTINUE),
                ch.voidPromise());
        if (expectContinue && !requestDone) {
            expectContinue = false;
            ctx.writeAndFlush(HeadWriter.continueResponse(), ctx.voidPromise());
        }
        if (requestDone) {
            // A request being replayed after a failed attempt, whose (empty) body was read already
            // (anything queued is the next request).
            writeBody(ch, Body.EMPTY_LAST, requestChunked);
            requestSent = true;
            armResponseTimer();
        }
        drain();
        ch.flush();
        if (!requestDone && listener.minBodyRate() > 0 && deadlineKind != BODY) {
            bodyWindowBytes = 0;
            setDeadline(BODY, System.nanoTime() + listener.bodyRateWindow().toNanos());
        }
        clientReads(true);
    }

    private void forwardBody(Object msg) {
        if (!(msg instanceof Body content)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (content.failure != null) {
            content.release();
            cause = "malformed request body: " + content.failure;
            failExchange(HttpResponseStatus.BAD_REQUEST, "malformed request body");
            return;
        }
        int n = content.content().readableBytes();
        bytesIn += n;
        bodyWindowBytes += n;
        if (requestBodyLimit > 0 && bytesIn > requestBodyLimit) {
            content.release();
            cause = "request body exceeded " + requestBodyLimit + " bytes";
            failExchange(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body larger than " + requestBodyLimit + " bytes");
            return;
        }
        if (n > 0) bodySent = true;
        boolean last = content.last;
        // Void promises: a failed write surfaces as exceptionCaught on that channel, which the
        // handlers already turn into the right outcome; no promise object per message.
        writeBody(backendChannel, content, requestChunked);
        if (!backendChannel.isWritable()) clientReads(false); // back end saturated: stop reading the client
        if (last) {
            requestDone = true;
            requestSent = true;
            backendChannel.flush();
            armResponseTimer();
        }
    }

    private static final ByteBuf CRLF = unreleasable("\r\n");
    private static final ByteBuf LAST_CHUNK = unreleasable("0\r\n\r\n");

    private static ByteBuf unreleasable(String s) {
        return io.netty.buffer.Unpooled.unreleasableBuffer(io.netty.buffer.Unpooled.wrappedBuffer(HeadWriter.ascii(s)).asReadOnly());
    }

    /**
     * Writes a body piece on {@code ch} (without flushing) in the outgoing framing: as it is, or as
     * a chunk; the last piece of a chunked body ends with the last chunk and the trailer. Takes
     * ownership of the payload.
     */
    private static void writeBody(Channel ch, Body b, boolean chunked) {
        ByteBuf data = b.content();
        int n = data.readableBytes();
        if (!chunked) {
            if (n > 0) ch.write(data, ch.voidPromise()); else data.release();
            return;
        }
        if (n > 0) {
            ByteBuf size = ch.alloc().ioBuffer(10);
            size.writeCharSequence(Integer.toHexString(n), java.nio.charset.StandardCharsets.US_ASCII);
            size.writeShort(0x0d0a);
            ch.write(size, ch.voidPromise());
            ch.write(data, ch.voidPromise());
            ch.write(CRLF.duplicate(), ch.voidPromise());
        } else {
            data.release();
        }
        if (!b.last) return;
        if (b.trailer == null) {
            ch.write(LAST_CHUNK.duplicate(), ch.voidPromise());
        } else {
            ByteBuf end = ch.alloc().ioBuffer(b.trailer.length + 5);
            end.writeByte('0').writeShort(0x0d0a).writeBytes(b.trailer).writeShort(0x0d0a);
            ch.write(end, ch.voidPromise());
        }
    }

    private void writePendingHead() {
        ByteBuf h = pendingHead;
        if (h != null) {
            pendingHead = null;
            ctx.write(h, ctx.voidPromise());
        }
    }

    private void armResponseTimer() {
        if (deadlineKind == RESPONSE || responseStarted) return;
        setDeadline(RESPONSE, System.nanoTime() + poolConfig.responseTimeout().toNanos());
    }

    private void responseTimeout() {
        if (request == null || responseStarted || closing) return;
        cause = backend.name() + " sent no response within " + poolConfig.responseTimeout().toMillis() + " ms";
        Backend b = backend;
        releaseBackend(false);
        passiveFailure(b, completeBackend(false), "response timeout");
        respondError(HttpResponseStatus.GATEWAY_TIMEOUT, "back end did not answer in time", !requestDone);
    }

    // ---------------------------------------------------------------- back-end side

    void onBackendRead(Channel ch, Object msg) {
        if (ch != backendChannel) {
            ReferenceCountUtil.release(msg);
            return;
        }
        backendActivity = timers.now();
        if (msg instanceof Head resp) {
            if (resp.failed()) {
                badResponse(resp.failure);
                return;
            }
            int code = resp.status;
            if (code < 200 && code != 101) {
                // e.g. 103 Early Hints: relay to an HTTP/1.1 client, keep waiting for the final one
                if (!clientHttp10) {
                    ctx.write(HeadWriter.response(ctx.alloc(), resp, false, false, false, HeadWriter.Connection.NOTHING), ctx.voidPromise());
                }
                return;
            }
            if (code == 101) {
                badResponse("back end switched protocols without being asked");
                return;
            }
            cancelResponseTimer();
            responseStarted = true;
            status = code;
            backendKeepAlive = resp.keepAlive;
            // Written with the first body piece (one buffer, one system call for a small response),
            // or at the end of this read.
            pendingHead = prepareResponse(resp);
            return;
        }
        if (msg instanceof Body content) {
            if (!responseStarted) {
                content.release();
                badResponse("content before response head");
                return;
            }
            if (content.failure != null) {
                content.release();
                cause = "malformed response body from " + backend.name() + ": " + content.failure;
                abortMidResponse();
                return;
            }
            ByteBuf head = pendingHead;
            if (head != null) {
                pendingHead = null;
                ByteBuf data = content.content();
                int n = data.readableBytes();
                if (n > 0 && n <= MERGE_LIMIT && !responseBodyless && !responseChunked) {
                    head.writeBytes(data);
                    content.release();
                    bytesOut += n;
                    ctx.write(head, ctx.voidPromise());
                    if (content.last) endExchange();
                    return;
                }
                ctx.write(head, ctx.voidPromise());
            }
            bytesOut += content.content().readableBytes();
            if (responseBodyless) {
                content.release();
            } else {
                writeBody(ctx.channel(), content, responseChunked);
            }
            if (content.last) endExchange();
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    void onBackendReadComplete(Channel ch) {
        if (ch != backendChannel) return;
        writePendingHead();
        ctx.flush();
        if (!ctx.channel().isWritable()) setAutoRead(ch, false); // client saturated: stop reading the back end
    }

    void onBackendWritabilityChanged(Channel ch) {
        if (ch == backendChannel && ch.isWritable()) clientReads(true);
    }

    /**
     * A response that started must keep coming: the back end may not go quiet for longer than the
     * pool's back-end idle timeout while we wait for it (not while we paused reading it ourselves).
     */
    private void backendIdleCheck(long now) {
        if (!backendChannel.config().isAutoRead()) {
            backendActivity = now;
        } else if (now - backendActivity > poolConfig.backendIdleTimeout().toNanos()) {
            onBackendIdle(backendChannel);
        }
    }

    void onBackendIdle(Channel ch) {
        if (ch != backendChannel || request == null) return;
        if (!responseStarted) return; // the response timer governs the wait for the head
        cause = backend.name() + " idle mid-response for " + poolConfig.backendIdleTimeout().toMillis() + " ms";
        abortMidResponse();
    }

    /** The back-end connection closed or failed while this exchange owned it. */
    void onBackendClosed(Channel ch, Throwable why) {
        if (ch != backendChannel || request == null || closing) return;
        cancelResponseTimer();
        backendChannel = null;
        backendHandler = null;
        backendReady = false;
        String what = why == null ? "connection closed" : describe(why);
        if (responseStarted) {
            cause = backend.name() + " " + what + " mid-response";
            Backend b = backend;
            passiveFailure(b, completeBackend(false), what);
            abortMidResponse();
            return;
        }
        Backend b = backend;
        boolean replayable = !bodySent && (reusedConnection || idempotent);
        cause = b.name() + " " + what + " before response" + (reusedConnection ? " (reused connection)" : "");
        if (reusedConnection) {
            // A keep-alive connection the back end had already closed: not the back end's fault.
            completeBackendQuietly();
        } else {
            passiveFailure(b, completeBackend(false), what);
            exclude(b);
        }
        if (replayable && (reusedConnection || attempts <= retries)) {
            if (reusedConnection) attempts--; // a stale connection does not use up a retry
            if (log.isDebugEnabled()) log.debug("redispatching {} {}: {}", method, uri(), cause);
            dispatch();
            return;
        }
        respondError(HttpResponseStatus.BAD_GATEWAY, "back end closed the connection", !requestDone);
    }

    private void badResponse(String what) {
        cause = "bad response from " + backend.name() + ": " + what;
        Backend b = backend;
        releaseBackend(false);
        passiveFailure(b, completeBackend(false), what);
        respondError(HttpResponseStatus.BAD_GATEWAY, "invalid response from back end", !requestDone);
    }

    /** The response head for the client, and the framing of the body that follows. */
    private ByteBuf prepareResponse(Head resp) {
        boolean bodyless = "HEAD".equals(method) || status == 204 || status == 304;
        boolean framed = resp.chunked || resp.contentLength >= 0 || bodyless;
        boolean keepAlive = clientKeepAlive && !state.draining() && requestDone;
        boolean dropTransferEncoding = false;
        boolean addChunked = false;
        responseBodyless = bodyless;
        if (clientHttp10) {
            if (resp.chunked) {
                // HTTP/1.0 has no chunked coding: send the body raw and end it by closing.
                dropTransferEncoding = true;
                keepAlive = false;
            } else if (!framed) {
                keepAlive = false;
            }
            responseChunked = false;
        } else {
            // A back end that ends its body by closing: give our client chunked framing so it can stay.
            addChunked = !framed;
            responseChunked = !bodyless && (resp.chunked || !framed);
        }
        closeAfterResponse = !keepAlive;
        HeadWriter.Connection c = !keepAlive ? HeadWriter.Connection.CLOSE
                : clientHttp10 ? HeadWriter.Connection.KEEP_ALIVE : HeadWriter.Connection.NOTHING;
        int room = !bodyless && !responseChunked && resp.contentLength > 0 && resp.contentLength <= MERGE_LIMIT
                ? (int) resp.contentLength : 0;
        return HeadWriter.response(ctx.alloc(), resp, clientHttp10, dropTransferEncoding, addChunked, c, room);
    }

    // ---------------------------------------------------------------- ending

    private void endExchange() {
        writePendingHead();
        cancelResponseTimer();
        Backend b = backend;
        boolean ok = !(status >= 500 && poolConfig.passive().count5xx());
        boolean reusable = backendKeepAlive && requestSent;
        releaseBackend(reusable);
        int consecutive = completeBackend(ok);
        if (!ok) passiveFailure(b, consecutive, "HTTP " + status);
        finishAccounting(true);
        boolean close = closeAfterResponse || state.draining() || (pipelineOverflow && queuedHeads == 0);
        resetExchange();
        if (close) {
            closing = true;
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        // The back end is released, so its read-complete will not flush for us.
        ctx.flush();
        if (!inbound.isEmpty()) {
            drain();
        }
        clientReads(true);
    }

    /** A response that already started cannot be replaced by an error: cut the client connection. */
    private void abortMidResponse() {
        writePendingHead(); // what the client got so far, then the cut
        cancelResponseTimer();
        releaseBackend(false);
        if (dispatched) completeBackend(false);
        finishAccounting(false);
        resetExchange();
        closing = true;
        ctx.flush();
        ctx.close();
    }

    /** An error in the middle of forwarding the request body (e.g. too large): answer if we still can. */
    private void failExchange(HttpResponseStatus st, String reason) {
        if (responseStarted) {
            abortMidResponse();
            return;
        }
        releaseBackend(false);
        if (dispatched) completeBackend(false);
        respondError(st, reason, true);
    }

    /** Answers the current request ourselves. {@code close} when the rest of the request cannot be trusted or skipped. */
    private void respondError(HttpResponseStatus st, String reason, boolean close) {
        cancelResponseTimer();
        status = st.code();
        if (cause.equals("-")) cause = reason;
        if (backendChannel != null) releaseBackend(false);
        // The rest of an answered request's body is read and dropped (drain() discards content with no
        // request), unless the client waits for 100-continue: then it is ambiguous what comes next.
        boolean keepAlive = !close && clientKeepAlive && !state.draining() && !(expectContinue && !requestDone);
        boolean headRequest = "HEAD".equals(method);
        ByteBuf resp = ErrorResponse.of(ctx.alloc(), st, reason, !keepAlive, clientHttp10, retryAfter, headRequest);
        retryAfter = 0;
        if (!headRequest) bytesOut += ErrorResponse.body(st, reason).length;
        if (request == null) {
            // Not inside an exchange (head timeout): still log it.
            logAccess();
        } else {
            finishAccounting(false);
        }
        resetExchange();
        if (keepAlive) {
            ctx.writeAndFlush(resp, ctx.voidPromise());
            if (!inbound.isEmpty()) drain();
            clientReads(true);
        } else {
            closing = true;
            releaseInbound();
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void releaseBackend(boolean reusable) {
        Channel ch = backendChannel;
        BackendHandler bh = backendHandler;
        backendChannel = null;
        backendHandler = null;
        backendReady = false;
        if (ch == null) return;
        bh.detach();
        if (reusable && ch.isActive()) {
            connections.offer(backend, ch, bh, poolConfig.maxIdlePerBackend());
        } else {
            ch.close();
        }
    }

    /** Completes the dispatched request on the back end's counters; returns its consecutive failures. */
    private int completeBackend(boolean ok) {
        if (!dispatched || backend == null) return 0;
        dispatched = false;
        long now = System.nanoTime();
        boolean traffic = pool != null && pool.algorithm().readsTraffic();
        boolean latency = pool == null || pool.algorithm().readsLatency();
        if (traffic) backend.onBytes(bytesIn, bytesOut, now); else backend.countBytes(bytesIn, bytesOut);
        int consecutive = backend.onComplete(ok, latency ? now - sentNanos : -1, now);
        if (backend.maxConnections() > 0 && pool != null) state.queue(pool).wakeOne();
        return consecutive;
    }

    private void completeBackendQuietly() {
        if (!dispatched || backend == null) return;
        dispatched = false;
        long now = System.nanoTime();
        backend.onComplete(true, -1, now);
        if (backend.maxConnections() > 0 && pool != null) state.queue(pool).wakeOne();
    }

    private void passiveFailure(Backend b, int consecutive, String what) {
        if (b == null || poolConfig == null || consecutive <= 0) return;
        int threshold = poolConfig.passive().consecutiveFailures();
        if (threshold <= 0 || consecutive < threshold || consecutive % threshold != 0) return;
        // applied on the registry's writer, never here; dropped there if the back end was removed meanwhile
        pool.submit(Origin.PASSIVE, new Change.PassiveFailure(b.name(), consecutive, what));
    }

    private void finishAccounting(boolean ok) {
        if (request == null) return;
        if (dispatched) completeBackend(ok);
        state.exchangeEnded();
        logAccess();
    }

    private void logAccess() {
        if (!state.recordsExchanges()) return;
        long micros = (System.nanoTime() - startNanos) / 1000;
        state.finished(new AccessRecord(System.currentTimeMillis(), clientIp, listener.name(),
                method == null ? "-" : method, uri(),
                clientVersion == null ? "-" : clientVersion, status,
                backend == null ? "-" : backend.label(),
                bytesIn, bytesOut, micros, Math.max(0, attempts - 1), cause,
                headerOrDash(Head.REFERER), headerOrDash(Head.USER_AGENT)), pool, backend);
    }

    /** The request target for logs and path affinity; "-" when there is no request line. */
    private String uri() {
        String u = uri;
        if (u == null) {
            u = request == null || request.length == 0 ? "-" : request.uri();
            uri = u;
        }
        return u;
    }

    private String headerOrDash(byte kind) {
        String v = request == null ? null : request.value(kind);
        return v == null ? "-" : v;
    }

    private void resetExchange() {
        setDeadline(IDLE, System.nanoTime() + listener.clientIdleTimeout().toNanos());
        request = null;
        pool = null;
        backend = null;
        backendReady = false;
        responseStarted = false;
        dispatched = false;
        excluded = null;
    }

    private void cancelResponseTimer() {
        clearDeadline(RESPONSE);
    }

    private void cancelHeadTimer() {
        clearDeadline(HEAD);
        clearDeadline(IDLE);
    }

    private void cancelTimers() {
        cancelResponseTimer();
        cancelHeadTimer();
    }

    private void releaseInbound() {
        Object o;
        while ((o = inbound.pollFirst()) != null) ReferenceCountUtil.release(o);
    }

    /** Closes the connection if it is between requests (graceful shutdown). */
    public void closeIfIdle() {
        if (request == null && inbound.isEmpty() && !closing) {
            closing = true;
            ctx.close();
        }
    }

    private static String describe(Throwable t) {
        if (t instanceof ConnectTimeoutException) return "connect timeout";
        if (t instanceof ConnectException) {
            String m = t.getMessage();
            return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("refused") ? "connection refused" : "connect error: " + m;
        }
        if (t instanceof java.io.IOException) {
            String m = t.getMessage();
            return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("reset") ? "connection reset" : "I/O error: " + m;
        }
        return t.toString();
    }
}
