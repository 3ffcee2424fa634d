package io.switchboard.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The back-end channel's only handler in a TCP session: hands every event to its {@link TcpSession},
 * which owns both channels. Events of a channel that is not (or no longer) the session's back end,
 * such as a connect that lost the race with the session's end, are ignored by the session.
 *
 * <p>Threading: the back-end channel's event loop, which is the client channel's.
 */
final class TcpBackendHandler extends ChannelInboundHandlerAdapter {
    private final TcpSession session;

    TcpBackendHandler(TcpSession session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) session.fromBackend(ctx.channel(), b);
        else ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        session.backendReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.backendWritable(ctx.channel());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) session.backendInputShutdown(ctx.channel());
        else ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.backendInactive(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        session.backendFailed(ctx.channel(), cause);
        ctx.close();
    }
}
