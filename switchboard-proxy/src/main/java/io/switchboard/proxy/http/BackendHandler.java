package io.switchboard.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.backend.Backend;

/**
 * The last handler of a back-end channel: relays what the back end sends to the exchange that
 * currently owns the connection ({@link BackendListener}), or closes the connection when it sends
 * anything while idle in the pool (a back end that does that is confused; never reuse it).
 *
 * <p>Threading: the channel's event loop, which is also the owning front end's loop.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private final BackendConnections connections;
    private final Backend backend;
    private final Http1Decoder decoder;
    private final long idleTimeoutNanos;
    private BackendListener owner;
    private long idleSince;

    BackendHandler(BackendConnections connections, Backend backend, Http1Decoder decoder, long idleTimeoutNanos) {
        this.connections = connections;
        this.backend = backend;
        this.decoder = decoder;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** Pooled (idle) since this time of the loop's coarse clock. */
    void idleSince(long now) {
        this.idleSince = now;
    }

    /** Idle in the pool for longer than the timeout. */
    boolean idleExpired(long now) {
        return owner == null && now - idleSince > idleTimeoutNanos;
    }

    Http1Decoder decoder() {
        return decoder;
    }

    void attach(BackendListener listener) {
        this.owner = listener;
    }

    void detach() {
        this.owner = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        BackendListener o = owner;
        if (o == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        o.onBackendMessage(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        BackendListener o = owner;
        if (o != null) o.onBackendReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        BackendListener o = owner;
        if (o != null && ctx.channel().isWritable()) o.onBackendWritable();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connections.forget(backend, ctx.channel());
        BackendListener o = owner;
        owner = null;
        if (o != null) o.onBackendClosed(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        BackendListener o = owner;
        owner = null;
        if (o != null) o.onBackendClosed(cause);
        ctx.close();
    }
}
