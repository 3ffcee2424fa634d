package io.switchboard.proxy.guard;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.http.Head;

/**
 * The listener's {@code rate-limit}: each request takes a token from its client's bucket
 * ({@link RateTable}); a request that finds the bucket empty is marked refused ({@code 429 Too Many
 * Requests} with {@code Retry-After}), which the front end answers, in order, after the responses to
 * requests before it, with {@code Connection: close}. Closing (rather than keeping the connection)
 * means the client's next attempt costs it a new connection, which the connection limits also count,
 * and nothing of the refused request's body needs to be read: from the refused request on,
 * everything the client sends is released here, never passed on.
 *
 * <p>Threading: the channel's event loop; the table is shared by the listener's loops.
 */
public final class RateLimiter extends ChannelInboundHandlerAdapter {
    private final ListenerGuard guard;
    private ClientKey key;
    private boolean refused;

    RateLimiter(ListenerGuard guard) {
        this.guard = guard;
    }

    /** The limiter for a new connection, or null when the listener has no rate limit (then it is not added). */
    public static ChannelHandler of(Channel ch, ListenerConfig listener) {
        if (!listener.guard().limitsRate()) return null; // not configured: not in the pipeline at all
        return new RateLimiter(ListenerGuard.of(ch, listener));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        key = ClientKey.of(ctx.channel().remoteAddress());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof Head head && !head.failed() && !guard.rates.tryAcquire(key, guard.clock.getAsLong())) {
            refused = true;
            String reason = "more than " + fmt(guard.config.requestsPerSecond()) + " requests per second (burst " + guard.config.burst() + ")";
            guard.rateLog.refused(ClientKey.text(ctx.channel().remoteAddress()), reason);
            head.refuse(429, "rate limit: " + reason, (int) Math.max(1, Math.ceil(1 / guard.config.requestsPerSecond())));
        }
        ctx.fireChannelRead(msg);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
