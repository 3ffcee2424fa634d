package io.switchboard.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the HTTP decoder and tells the front end when bytes of a new request arrive, so the
 * header timeout runs from the first byte of a request head, not from the end of the previous
 * exchange (an idle keep-alive connection is governed by the client idle timeout instead).
 *
 * <p>Threading: the channel's event loop.
 */
final class RequestHeadTimer extends ChannelInboundHandlerAdapter {
    private final FrontendHandler frontend;

    RequestHeadTimer(FrontendHandler frontend) {
        this.frontend = frontend;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        frontend.onRequestBytes();
        ctx.fireChannelRead(msg);
    }
}
