package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.ReferenceCountUtil;

/**
 * A WebSocket connection after its {@code 101} (RFC 6455): the client and back-end connections joined
 * as a byte tunnel both ways, nothing parsed. It is what its {@link HttpExchange} became: the back end
 * stays reserved (in flight, so least-conn sees it) and the exchange counts as active (graceful
 * shutdown waits for it, then closes it at the end of the grace period) until the tunnel ends; then
 * the attempt is accounted once and the access line written, with the bytes of both ways and the
 * whole duration.
 *
 * <p>Back-pressure as for bodies: a side that cannot take more stops the other side from being read,
 * checked after every write, and reading resumes when it drains. A tunnel with no byte either way for
 * the listener's {@code tunnel-idle-timeout} is closed (HAProxy's {@code timeout tunnel}); it is
 * checked on the loop's tick, so it fires up to a tick late. Half-close is not kept: when either side
 * closes, the other is closed too after what was written to it went out.
 *
 * <p>Threading: the client channel's event loop, shared with the back-end channel.
 */
final class WebSocketTunnel implements BackendListener {
    private final HttpExchange x;
    private final FrontendHandler conn;
    private final Channel backend;
    private final BackendHandler backendHandler;
    private final long firstByteNanos;
    private final long idleNanos;
    private long lastActivity;
    private long up;
    private long down;
    private boolean closed;

    WebSocketTunnel(HttpExchange exchange, long firstByteNanos) {
        this.x = exchange;
        this.conn = exchange.conn;
        this.backend = exchange.backendChannel;
        this.backendHandler = exchange.backendHandler;
        this.firstByteNanos = firstByteNanos;
        this.idleNanos = conn.listener.tunnelIdleTimeout().toNanos();
    }

    /** Takes over both connections (the 101 is written, not yet flushed). */
    void start() {
        lastActivity = conn.timers().now();
        backendHandler.attach(this);
        ClientUpgrade.tunnelStarts(conn, this);
    }

    boolean backendWritable() {
        return backend.isWritable();
    }

    /** Bytes from the client, on their way to the back end. */
    void fromClient(Object msg) {
        if (closed || !(msg instanceof ByteBuf b)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        up += b.readableBytes();
        lastActivity = conn.timers().now();
        backend.write(b, backend.voidPromise());
        if (!backend.isWritable()) FrontendHandler.setAutoRead(conn.ctx.channel(), false);
    }

    void clientReadComplete() {
        if (!closed) backend.flush();
    }

    /** The client drained what we wrote to it: read the back end again. */
    void clientWritable() {
        if (!closed) FrontendHandler.setAutoRead(backend, true);
    }

    @Override
    public void onBackendMessage(Object msg) {
        if (closed || !(msg instanceof ByteBuf b)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        down += b.readableBytes();
        lastActivity = conn.timers().now();
        ChannelHandlerContext ctx = conn.ctx;
        ctx.write(b, ctx.voidPromise());
        if (!ctx.channel().isWritable()) FrontendHandler.setAutoRead(backend, false);
    }

    @Override
    public void onBackendReadComplete() {
        if (!closed) conn.ctx.flush();
    }

    @Override
    public void onBackendWritable() {
        if (!closed) FrontendHandler.setAutoRead(conn.ctx.channel(), true);
    }

    @Override
    public void onBackendClosed(Throwable why) {
        // Broken (not an orderly close): an HTTP/2 stream is reset with CANCEL (RFC 8441 section 4)
        // instead of ended, written before the close below ends it.
        if (why != null && !closed && conn.stream && !conn.closing) {
            conn.ctx.write(new DefaultHttp2ResetFrame(Http2Error.CANCEL), conn.ctx.voidPromise());
        }
        close(why == null ? "back end closed the tunnel" : "tunnel to back end broke: " + ExchangeEnd.describe(why));
    }

    /** On the loop's tick: closes the tunnel when it was idle for the listener's tunnel idle timeout. */
    void check(long now) {
        if (!closed && now - lastActivity > idleNanos) {
            close("tunnel idle for " + conn.listener.tunnelIdleTimeout().toMillis() + " ms");
        }
    }

    /** Ends the tunnel once: both connections close after what was written to them, the exchange ends. */
    void close(String why) {
        if (closed) return;
        closed = true;
        backendHandler.detach();
        x.backendChannel = null;
        x.backendHandler = null;
        if (backend.isActive()) backend.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        else backend.close();
        x.bytesIn += up;
        x.response.bytesOut += down;
        x.end.tunnelEnded(why, firstByteNanos);
        ClientUpgrade.tunnelEnded(conn);
    }
}
