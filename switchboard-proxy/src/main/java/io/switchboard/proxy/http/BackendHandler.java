package io.switchboard.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.backend.Backend;

/**
 * The last handler of a back-end channel: relays what the back end sends to the exchange that
 * currently owns the connection, or closes the connection when it misbehaves while idle in the pool.
 *
 * <p>Threading: the channel's event loop, which is also the owning front end's loop.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private final BackendConnections connections;
    private final Backend backend;
    private final Http1Decoder decoder;
    private final long idleTimeoutNanos;
    private FrontendHandler exchange;
    private long idleSince;

    BackendHandler(BackendConnections connections, Backend backend, Http1Decoder decoder, long idleTimeoutNanos) {
        this.connections = connections;
        this.backend = backend;
        this.decoder = decoder;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** The pool's back-end idle timeout, in nanoseconds. */
    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /** Pooled (idle) since this time of the loop's coarse clock. */
    void idleSince(long now) {
        this.idleSince = now;
    }

    /** Idle in the pool for longer than the timeout. */
    boolean idleExpired(long now) {
        return exchange == null && now - idleSince > idleTimeoutNanos;
    }

    Http1Decoder decoder() {
        return decoder;
    }

    void attach(FrontendHandler owner) {
        this.exchange = owner;
    }

    void detach() {
        this.exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        FrontendHandler owner = exchange;
        if (owner == null) {
            // Bytes on an idle connection: the back end is confused; never reuse it.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        owner.onBackendRead(ctx.channel(), msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        FrontendHandler owner = exchange;
        if (owner != null) owner.onBackendReadComplete(ctx.channel());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        FrontendHandler owner = exchange;
        if (owner != null) owner.onBackendWritabilityChanged(ctx.channel());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connections.forget(backend, ctx.channel());
        FrontendHandler owner = exchange;
        exchange = null;
        if (owner != null) owner.onBackendClosed(ctx.channel(), null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        FrontendHandler owner = exchange;
        exchange = null;
        if (owner != null) owner.onBackendClosed(ctx.channel(), cause);
        ctx.close();
    }
}
