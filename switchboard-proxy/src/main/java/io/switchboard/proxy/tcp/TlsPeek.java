package io.switchboard.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * {@code validate: tls} on a {@code mode: tcp} listener (TLS passthrough): holds the session back until
 * the client's first bytes are a well-formed {@link ClientHello}, then records the pool its server name
 * routes to ({@link TcpSession#POOL}), lets the session start, hands it every byte read so far unchanged,
 * and leaves the pipeline. TLS is not terminated: the back end does the handshake. A session ID a TLS 1.2
 * server established ({@link TlsSessionIds}) sends the session back to that server ({@link TcpSession#STICK_TO});
 * every session's first server bytes are watched for a new one ({@link ServerHelloWatch}).
 *
 * <p>Refused: bytes that are not a ClientHello, a client that half-closes or goes idle before sending a whole
 * one, more than {@link ClientHello#MAX_PEEK} bytes. When the bytes were TLS records, a fatal
 * {@code decode_error} alert goes out first; to anything else, no byte is sent. Counted and logged through
 * {@link ValidationFailures}.
 *
 * <p>Threading: the client channel's event loop.
 */
final class TlsPeek extends ChannelInboundHandlerAdapter {
    /** A TLS 1.0-framed fatal alert (level 2) decode_error (50): what a TLS server sends for an unparsable ClientHello. */
    private static final byte[] DECODE_ERROR = {21, 3, 1, 0, 2, 2, 50};

    private final SniRoutes routes;
    private final ValidationFailures failures;
    private final TlsSessionIds sessionIds;
    private ByteBuf held;
    private boolean done;

    TlsPeek(SniRoutes routes, ValidationFailures failures, TlsSessionIds sessionIds) {
        this.routes = routes;
        this.failures = failures;
        this.sessionIds = sessionIds;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // The session starts once a ClientHello chose its pool; until then this handler reads.
        ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof ByteBuf b)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (held == null) held = ctx.alloc().heapBuffer(Math.max(512, b.readableBytes()));
        if (held.readableBytes() + b.readableBytes() > ClientHello.MAX_PEEK) {
            b.release();
            refuse(ctx, "more than " + ClientHello.MAX_PEEK + " bytes without a complete ClientHello", true);
            return;
        }
        held.writeBytes(b);
        b.release();
        ClientHello hello;
        try {
            byte[] bytes = held.hasArray() && held.arrayOffset() == 0 && held.readerIndex() == 0 ? held.array() : readable(held);
            hello = ClientHello.parse(bytes, held.readableBytes());
        } catch (ClientHello.Malformed e) {
            refuse(ctx, e.getMessage(), e.tls());
            return;
        }
        if (hello == null) return;
        done = true;
        String pool = routes.pool(hello.serverName());
        ctx.channel().attr(TcpSession.POOL).set(pool);
        // Any ID may name a TLS 1.2 session (a client offering 1.3 resumes 1.2 sessions too); only IDs
        // learned from TLS 1.2 ServerHellos are in the table, so 1.3's random ones never match.
        String server = sessionIds.server(pool, hello.sessionId(), System.nanoTime());
        if (server != null) ctx.channel().attr(TcpSession.STICK_TO).set(server);
        ctx.channel().attr(TcpSession.SERVER_HELLO).set(new ServerHelloWatch(sessionIds));
        ByteBuf bytes = held;
        held = null;
        ctx.fireChannelActive();
        ctx.fireChannelRead(bytes);
        ctx.fireChannelReadComplete();
        ctx.pipeline().remove(this);
    }

    private static byte[] readable(ByteBuf b) {
        byte[] a = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), a);
        return a;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (done) return; // refused and closing: the session never started
        if (evt instanceof ChannelInputShutdownEvent) {
            refuse(ctx, "closed its side before a whole ClientHello (" + (held == null ? 0 : held.readableBytes()) + " bytes)",
                    held != null);
        } else if (evt instanceof IdleStateEvent) {
            refuse(ctx, "idle before a whole ClientHello (" + (held == null ? 0 : held.readableBytes()) + " bytes)", false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release(); // handed over sessions no longer pass here: this handler left the pipeline
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        release();
        ctx.close();
    }

    private void refuse(ChannelHandlerContext ctx, String why, boolean alert) {
        done = true;
        release();
        failures.refused(ctx.channel(), "tls", why);
        if (alert) ctx.writeAndFlush(Unpooled.wrappedBuffer(DECODE_ERROR)).addListener(ChannelFutureListener.CLOSE);
        else ctx.close();
    }

    private void release() {
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
