package io.switchboard.proxy.guard;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.AccessLog;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.http.ErrorResponse;

/**
 * The listener's {@code allow} and {@code deny} lists ({@link AccessPolicy}): the client's address is
 * checked once, when the connection opens; a refused client's first request is answered
 * {@code 403 Forbidden} with {@code Connection: close}, and nothing it sends reaches the front end or
 * a back end. Every message it drops is released. The answer is logged in the access log and as a
 * (throttled) warning.
 *
 * <p>Threading: the channel's event loop.
 */
public final class AccessControl extends ChannelInboundHandlerAdapter {
    private final ListenerGuard guard;
    private final AccessLog accessLog;
    private String refusal;
    private boolean answered;

    AccessControl(ListenerGuard guard, AccessLog accessLog) {
        this.guard = guard;
        this.accessLog = accessLog;
    }

    /** The check for a new connection, or null when the listener has no lists (then it is not added). */
    public static ChannelHandler of(Channel ch, ListenerConfig listener, AccessLog accessLog) {
        if (!listener.guard().filtersAddresses()) return null; // not configured: not in the pipeline at all
        return new AccessControl(ListenerGuard.of(ch, listener), accessLog);
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
        try {
            if (!answered && msg instanceof HttpRequest req) {
                answered = true;
                answer(ctx, req);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void answer(ChannelHandlerContext ctx, HttpRequest req) {
        String client = ClientKey.text(ctx.channel().remoteAddress());
        FullHttpResponse resp = ErrorResponse.of(ctx.alloc(), HttpResponseStatus.FORBIDDEN, "your address may not use this service", true);
        if (HttpVersion.HTTP_1_0.equals(req.protocolVersion())) resp.setProtocolVersion(HttpVersion.HTTP_1_0);
        long bytes = resp.content().readableBytes();
        guard.accessLog.refused(client, refusal);
        accessLog.log(new AccessRecord(System.currentTimeMillis(), client, guard.listener, req.method().name(), req.uri(),
                req.protocolVersion().text(), 403, "-", 0, bytes, 0, 0, "client address " + refusal));
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }
}
