package io.switchboard.proxy.guard;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.AccessLog;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.http.ErrorResponse;

/**
 * The listener's {@code rate-limit}: each request takes a token from its client's bucket
 * ({@link RateTable}); a request that finds the bucket empty is answered {@code 429 Too Many
 * Requests} with {@code Retry-After} and {@code Connection: close}, and the connection is closed.
 * Closing (rather than keeping the connection) means the client's next attempt costs it a new
 * connection, which the connection limits also count, and nothing of the refused request's body
 * needs to be read.
 *
 * <p>Responses stay in order: if the client pipelined the refused request behind requests still
 * being answered, the 429 is written after their responses (unless one of them closes the connection
 * anyway). From the refused request on, everything the client sends is released, never passed on.
 *
 * <p>Threading: the channel's event loop; the table is shared by the listener's loops.
 */
public final class RateLimiter extends ChannelDuplexHandler {
    private final ListenerGuard guard;
    private final AccessLog accessLog;
    private ClientKey key;
    private int outstanding;         // requests passed on and not yet answered in full
    private boolean interim;         // the response being written is a 1xx
    private boolean closeAnnounced;  // a response already said Connection: close
    private HttpRequest refused;
    private boolean answered;

    RateLimiter(ListenerGuard guard, AccessLog accessLog) {
        this.guard = guard;
        this.accessLog = accessLog;
    }

    /** The limiter for a new connection, or null when the listener has no rate limit (then it is not added). */
    public static ChannelHandler of(Channel ch, ListenerConfig listener, AccessLog accessLog) {
        if (!listener.guard().limitsRate()) return null; // not configured: not in the pipeline at all
        return new RateLimiter(ListenerGuard.of(ch, listener), accessLog);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        key = ClientKey.of(ctx.channel().remoteAddress());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused != null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest req) {
            if (!guard.rates.tryAcquire(key, guard.clock.getAsLong())) {
                refused = req;
                ReferenceCountUtil.release(msg);
                if (outstanding == 0) answer(ctx);
                return;
            }
            outstanding++;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean ended = false;
        if (msg instanceof HttpResponse resp) {
            int code = resp.status().code();
            interim = code >= 100 && code < 200 && code != 101;
            if (!interim && resp.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
                closeAnnounced = true;
            }
        }
        if (msg instanceof LastHttpContent) {
            if (interim) {
                interim = false;
            } else {
                ended = true;
            }
        }
        ctx.write(msg, promise);
        if (ended && outstanding > 0) {
            outstanding--;
            if (refused != null && outstanding == 0) answer(ctx);
        }
    }

    private void answer(ChannelHandlerContext ctx) {
        if (answered) return;
        answered = true;
        HttpRequest req = refused;
        String client = ClientKey.text(ctx.channel().remoteAddress());
        String reason = "more than " + fmt(guard.config.requestsPerSecond()) + " requests per second (burst " + guard.config.burst() + ")";
        guard.rateLog.refused(client, reason);
        if (closeAnnounced) {
            // A response before it already ended the connection: the client will not read a 429.
            ctx.close();
            return;
        }
        FullHttpResponse resp = ErrorResponse.of(ctx.alloc(), HttpResponseStatus.TOO_MANY_REQUESTS, "too many requests, slow down", true);
        resp.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString((long) Math.max(1, Math.ceil(1 / guard.config.requestsPerSecond()))));
        if (HttpVersion.HTTP_1_0.equals(req.protocolVersion())) resp.setProtocolVersion(HttpVersion.HTTP_1_0);
        accessLog.log(new AccessRecord(System.currentTimeMillis(), client, guard.listener, req.method().name(), req.uri(),
                req.protocolVersion().text(), 429, "-", 0, resp.content().readableBytes(), 0, 0, "rate limit: " + reason));
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
