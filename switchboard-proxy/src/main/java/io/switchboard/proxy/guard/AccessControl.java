package io.switchboard.proxy.guard;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.http.Head;

/**
 * The listener's {@code allow} and {@code deny} lists ({@link AccessPolicy}): the client's address is
 * checked once, when the connection opens; a refused client's first request is marked refused
 * ({@code 403 Forbidden}), which the front end answers with {@code Connection: close} and logs in the
 * access log; nothing the client sends reaches a back end, and everything after the first request
 * head is released here. The refusal is also logged as a (throttled) warning.
 *
 * <p>Threading: the channel's event loop.
 */
public final class AccessControl extends ChannelInboundHandlerAdapter {
    private final ListenerGuard guard;
    private String refusal;
    private boolean answered;

    AccessControl(ListenerGuard guard) {
        this.guard = guard;
    }

    /** The check for a new connection, or null when the listener has no lists (then it is not added). */
    public static ChannelHandler of(Channel ch, ListenerConfig listener) {
        if (!listener.guard().filtersAddresses()) return null; // not configured: not in the pipeline at all
        return new AccessControl(ListenerGuard.of(ch, listener));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        refusal = guard.access.refusal(ClientKey.addressBytes(ctx.channel().remoteAddress()));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refusal == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!answered && msg instanceof Head head) {
            answered = true;
            guard.accessLog.refused(ClientKey.text(ctx.channel().remoteAddress()), refusal);
            head.refuse(403, "client address " + refusal, 0);
            ctx.fireChannelRead(head);
            return;
        }
        ReferenceCountUtil.release(msg);
    }
}
