package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.ListenerCounters;
import io.switchboard.proxy.ProxyState;
import io.switchboard.proxy.guard.RequestGuard;
import io.switchboard.proxy.guard.Verdict;
import io.switchboard.proxy.proxyprotocol.ClientAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads requests, runs one {@link HttpExchange} at a time, answers pipelined
 * requests in order, and owns what belongs to the connection: the inbound queue, read toggling and
 * the client-side timeouts (head, keep-alive idle, send; fired by {@link ClientDeadlines}).
 *
 * <p>Back-pressure: both channels read automatically and reading is switched off only when the
 * other side stops being writable (or more than {@link #MAX_QUEUED} messages are waiting), and on
 * again when it drains. So a 1 GB body in either direction moves through bounded memory. This
 * deviates from "AUTO_READ off, read after each write" on purpose: with Netty's epoll transport every
 * explicit read cycle clears and re-arms EPOLLIN, two {@code epoll_ctl} calls per channel per
 * read, about four extra system calls per proxied request; toggling only under back-pressure
 * removes them from the common path (measured in bench/RESULTS.md).
 *
 * <p>WebSocket: after a request that asks for one, the client is not read until the answer comes
 * (the decoder holds what already arrived); a {@code 101} turns the connection into a {@link
 * WebSocketTunnel} for good, anything else lets the held bytes be parsed as the next requests.
 *
 * <p>Threading: the channel's event loop; the back-end channel is on the same loop, so no state here
 * is shared across threads.
 */
public final class FrontendHandler extends ChannelInboundHandlerAdapter implements ConnectionTimers.Timed {
    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

    /** Queued messages beyond which the client is not read (pipelining and pre-connect body bound). */
    static final int MAX_QUEUED = 16;
    /**
     * Pipelined request heads kept waiting at most. Reading stops at {@link #MAX_QUEUED}, but what one
     * read already holds is decoded: beyond this many heads the rest is dropped, the requests kept are
     * answered, and the connection is closed (as HAProxy and Netty's codec do; a client that pipelines
     * this deep without reading answers is broken or hostile).
     */
    static final int MAX_PIPELINED = 128;

    private static final byte[] NO_IP = HeadWriter.ascii("-");

    final ProxyState state;
    final ListenerConfig listener;
    private final RequestGuard guard;
    final ListenerCounters counters;
    /** An HTTP/2 stream (one request) rather than a connection: {@link H2Connection} counts the connection. */
    final boolean stream;
    private boolean counted;
    ChannelHandlerContext ctx;
    /** The request decoder this handler feeds itself ({@link Http1Decoder#embedIn}); null when it is a handler before this one. */
    private Http1Decoder decoder;
    BackendConnections connections;
    String clientIp = "-";
    /** The last stick-table key a request of this connection carried: a connection is counted once per key. */
    String stickKey;
    /** The bytes of {@link #clientIp}, shared with other connections: never changed. */
    byte[] clientIpBytes = NO_IP;
    boolean closing;
    /** The client shut its sending side ({@link ClientFin}): answer what it sent, then close. */
    boolean inputShut;

    /**
     * Messages read but not yet processed: body chunks waiting for a back end, pipelined requests.
     * Null while none wait (made when one has to, dropped between requests): an idle connection keeps
     * no queue.
     */
    ArrayDeque<Object> inbound;
    private int queuedHeads;
    private boolean pipelineOverflow;
    /** A guard refused a request: nothing after it is read into an exchange. */
    private boolean refused;
    HttpExchange exchange;
    /** A WebSocket handshake was read: nothing after it is read until it is answered ({@link ClientUpgrade}). */
    boolean upgradeHeld;
    /** The connection became a tunnel (for good); null before. */
    WebSocketTunnel tunnel;

    // The state of ClientDeadlines, kept in this object (no object of its own: heap per idle connection).
    /** Which deadline {@link #waitDeadline} is, between and before exchanges ({@link ClientDeadlines#WAIT_NONE} ...). */
    byte waiting = ClientDeadlines.WAIT_NONE;
    long waitDeadline;
    long clientStalledSince;
    /** A byte of the current request head arrived. */
    boolean headBytes;
    /** When the first byte of a head still incomplete at the end of a read arrived; 0 when none is. */
    long partialHeadSince;
    private int timerSlot = -1;

    public FrontendHandler(ProxyState state, ListenerConfig listener) {
        this(state, listener, null);
    }

    /** @param guard the listener's request guards for this connection; null when it has none */
    public FrontendHandler(ProxyState state, ListenerConfig listener, RequestGuard guard) {
        this.state = state;
        this.listener = listener;
        this.guard = guard;
        this.counters = state.listenerCounters().of(listener.name());
        this.stream = false;
    }

    /** For an HTTP/2 stream's channel (see {@link H2StreamBridge}): guards and counters are its connection's. */
    FrontendHandler(ProxyState state, ListenerConfig listener, RequestGuard guard, ListenerCounters counters) {
        this.state = state;
        this.listener = listener;
        this.guard = guard;
        this.counters = counters;
        this.stream = true;
    }

    /** The client's TCP connection: the parent of an HTTP/2 stream's channel, else the channel. */
    Channel connection() {
        Channel ch = ctx.channel();
        return stream && ch.parent() != null ? ch.parent() : ch;
    }

    /** The event loop's timers (a lookup, not a field: heap per idle connection). */
    ConnectionTimers timers() {
        return connections.timers();
    }

    /** Called by {@link Http1Decoder#embedIn}: this handler feeds that decoder, which is not in the pipeline. */
    void decodeWith(Http1Decoder d) {
        decoder = d;
    }

    /** The request decoder: this handler's own, or the handler before it (an HTTP/2 stream's). */
    Http1Decoder decoder() {
        Http1Decoder d = decoder;
        return d != null ? d : ctx.pipeline().get(Http1Decoder.class);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (decoder != null) decoder.handlerAdded(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (decoder != null) decoder.handlerRemoved(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connections = state.connections(ctx.channel().eventLoop());
        connections.timers().register(this);
        if (!stream) {
            counters.connectionOpened();
            counted = true;
        }
        ClientDeadlines.awaitFirstHead(this);
        if (ClientAddress.of(ctx.channel()) instanceof InetSocketAddress a) {
            ClientIps.Text ip = ClientIps.of(a);
            clientIp = ip.text();
            clientIpBytes = ip.bytes();
        }
        ctx.fireChannelActive();
    }

    /** Whether a plain-text connection may turn into HTTP/2 with prior knowledge (h2c). */
    boolean h2cAllowed() {
        return !stream && listener.tls() == null && listener.http2().enabled();
    }

    /**
     * The client opened with the HTTP/2 connection preface: the connection becomes an {@link
     * H2Connection} ({@link H2Connection#takeOver}), this handler and the decoder leave.
     *
     * @param decoderCtx the decoder's context (the new handlers are fed through it)
     */
    void switchToH2c(ChannelHandlerContext decoderCtx, ByteBuf preface) {
        closing = true;
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false); // HTTP/2 closes at the client's FIN
        timers().unregister(this);
        if (counted) {
            counted = false;
            counters.connectionClosed(); // H2Connection counts it from here
        }
        H2Connection.takeOver(ctx, decoderCtx, preface, state, listener);
    }

    // ---------------------------------------------------------------- timers

    @Override
    public int timerSlot() {
        return timerSlot;
    }

    @Override
    public void timerSlot(int slot) {
        timerSlot = slot;
    }

    @Override
    public void timerFailed(RuntimeException e) {
        closing = true;
        ctx.close();
    }

    @Override
    public void checkDeadline(long now) {
        ClientDeadlines.check(this, now);
    }

    // ---------------------------------------------------------------- reading

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Http1Decoder d = decoder;
        if (d != null && msg instanceof ByteBuf) {
            d.channelRead(ctx, msg); // what it decodes comes back to received()
        } else {
            received(ctx, msg);
        }
    }

    /** A decoded message (a {@link Head} or a {@link Body}), or raw bytes of a tunnel. */
    void received(ChannelHandlerContext ctx, Object msg) {
        if (tunnel != null && !closing) {
            tunnel.fromClient(msg);
            return;
        }
        if (!(msg instanceof Head || msg instanceof Body) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        HttpExchange x = exchange;
        if (x != null && queued() == 0 && x.wantsBody()) {
            x.forwardBody(msg); // the streaming fast path
            return;
        }
        if (refused) {
            ReferenceCountUtil.release(msg); // after a refused request nothing is passed on
            return;
        }
        if (msg instanceof Head head) {
            ClientDeadlines.headComplete(this);
            if (guard != null && !head.failed()) {
                Verdict v = guard.check();
                if (v != null) {
                    refused = true;
                    msg = new Refusal(head, v);
                }
            }
            if (pipelineOverflow || queuedHeads >= MAX_PIPELINED) {
                if (!pipelineOverflow) {
                    log.debug("client {}: pipelined more than {} requests, answering those, then closing", clientIp, MAX_PIPELINED);
                }
                pipelineOverflow = true;
                ReferenceCountUtil.release(msg);
                clientReads(false);
                return;
            }
            queuedHeads++;
        } else if (pipelineOverflow) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (x == null && queued() == 0) {
            take(msg); // nothing waits before it: no queue
            return;
        }
        if (inbound == null) inbound = new ArrayDeque<>(4);
        inbound.addLast(msg);
        if (inbound.size() >= MAX_QUEUED) clientReads(false);
        drain();
    }

    /** Whether the connection holds a queue object now (for tests: an idle one should not). */
    boolean keepsQueue() {
        return inbound != null;
    }

    /** Messages waiting in {@link #inbound}. */
    int queued() {
        ArrayDeque<Object> q = inbound;
        return q == null ? 0 : q.size();
    }

    /** Processes queued messages as far as the current exchange allows. */
    void drain() {
        ArrayDeque<Object> q;
        while (!closing && (q = inbound) != null) {
            HttpExchange x = exchange;
            if (x == null) {
                Object next = q.pollFirst();
                if (next == null) return;
                take(next);
            } else if (x.wantsBody()) {
                Object next = q.pollFirst();
                if (next == null) return;
                x.forwardBody(next);
            } else {
                return;
            }
        }
    }

    /** Handles the next message when no exchange runs: a request head starts one. */
    private void take(Object next) {
        if (next instanceof Head || next instanceof Refusal) {
            queuedHeads--;
            ClientDeadlines.exchangeStarts(this);
            if (next instanceof Refusal r) {
                exchange = new HttpExchange(this, r.head());
                exchange.refuse(r.verdict());
            } else {
                exchange = new HttpExchange(this, (Head) next);
                exchange.start();
            }
        } else {
            ReferenceCountUtil.release(next); // remains of a request we already answered
        }
    }

    /** A request head a guard refused, waiting for its turn to be answered. */
    private record Refusal(Head head, Verdict verdict) {}

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (tunnel != null) tunnel.clientReadComplete();
        HttpExchange x = exchange;
        if (x != null && x.backendChannel != null) x.backendChannel.flush();
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            ClientDeadlines.clientDrained(this);
            if (tunnel != null) tunnel.clientWritable();
            HttpExchange x = exchange;
            if (x != null && x.backendChannel != null) setAutoRead(x.backendChannel, true); // drained: read the back end again
        }
        ctx.fireChannelWritabilityChanged();
    }

    static void setAutoRead(Channel ch, boolean on) {
        if (ch.config().isAutoRead() != on) ch.config().setAutoRead(on);
    }

    /** Switches reading the client on or off; on only when there is room for what it would send. */
    void clientReads(boolean on) {
        if (on && (closing || upgradeHeld || tunnel != null || pipelineOverflow || queued() >= MAX_QUEUED
                || (exchange != null && exchange.backendSaturated()))) {
            return;
        }
        Channel ch = ctx.channel();
        boolean resumed = on && !ch.config().isAutoRead();
        setAutoRead(ch, on);
        // An HTTP/2 stream returns the client's flow-control credit for what it read while paused when
        // reading resumes, as a WINDOW_UPDATE written to the connection: flushed here, or the client
        // (its window spent) never sends again and the upload stalls for good.
        if (resumed && stream) ctx.flush();
    }

    // ---------------------------------------------------------------- the end of an exchange

    /** The exchange relayed its response; the connection goes on unless {@code close}. */
    void exchangeEnded(boolean close) {
        exchange = null;
        if (close || state.draining() || ((pipelineOverflow || inputShut) && queuedHeads == 0)) {
            closing = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        nextRequest();
        ctx.flush(); // the back end is released, so its read-complete will not flush for us
        if (queued() > 0) drain();
        ClientUpgrade.resumeIfRefused(this);
        clientReads(true);
    }

    /** We answered the exchange ourselves with {@code response}. */
    void answered(ByteBuf response, boolean keepAlive) {
        exchange = null;
        if (keepAlive && !(inputShut && queuedHeads == 0)) {
            nextRequest();
            ctx.writeAndFlush(response, ctx.voidPromise());
            if (queued() > 0) drain();
            ClientUpgrade.resumeIfRefused(this);
            clientReads(true);
        } else {
            closing = true;
            releaseInbound();
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ClientFin.finishedSending(this);
        } else if (!(evt instanceof ChannelInputShutdownReadComplete)) {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** The response broke off: what the client got so far, then the cut. */
    void abort() {
        exchange = null;
        closing = true;
        ctx.flush();
        ctx.close();
    }

    private void nextRequest() {
        if (inbound != null && inbound.isEmpty()) inbound = null; // idle: keep no queue
        ClientDeadlines.awaitNextRequest(this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (decoder != null) decoder.closed();
        closing = true;
        if (connections != null) timers().unregister(this);
        if (counted) {
            counted = false;
            counters.connectionClosed();
        }
        HttpExchange x = exchange;
        exchange = null;
        if (x != null) x.end.clientGone();
        WebSocketTunnel t = tunnel;
        if (t != null) t.close("client closed the tunnel");
        releaseInbound();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            log.warn("client {}: unexpected error, closing: {}", clientIp, cause.toString(), cause);
        }
        ctx.close();
    }

    private void releaseInbound() {
        ArrayDeque<Object> q = inbound;
        if (q == null) return;
        Object o;
        while ((o = q.pollFirst()) != null) ReferenceCountUtil.release(o);
    }

    /** Closes the connection if it is between requests (graceful shutdown). */
    public void closeIfIdle() {
        if (exchange == null && tunnel == null && queued() == 0 && !closing) {
            closing = true;
            ctx.close();
        }
    }
}
