package io.switchboard.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 framing of the admin listener: hands each aggregated request to the API on the admin
 * worker and writes the answer back, one request at a time per connection (pipelined requests wait
 * their turn, so answers stay in order even when one of them, a drain-then-remove, takes seconds).
 *
 * <p>Threading: the handler's state is confined to the channel's event loop; the API runs on the
 * worker and its answer is written from the event loop.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

    private final Function<ApiRequest, CompletableFuture<ApiResponse>> api;
    private final Executor worker;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean busy;

    AdminHandler(Function<ApiRequest, CompletableFuture<ApiResponse>> api, Executor worker) {
        super(false); // requests are released once copied, or when the connection closes while they wait
        this.api = api;
        this.worker = worker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (busy) {
            waiting.add(req);
            return;
        }
        start(ctx, req);
    }

    private void start(ChannelHandlerContext ctx, FullHttpRequest req) {
        busy = true;
        boolean keepAlive;
        boolean head = req.method().equals(HttpMethod.HEAD);
        ApiRequest ar;
        try {
            if (!req.decoderResult().isSuccess()) {
                write(ctx, ApiResponse.text(400, "bad request: " + req.decoderResult().cause()), false);
                return;
            }
            keepAlive = HttpUtil.isKeepAlive(req);
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            ar = new ApiRequest(req.method().name(), q.path(), q.parameters(),
                    req.headers().get(HttpHeaderNames.AUTHORIZATION), req.headers().get(HttpHeaderNames.HOST),
                    req.headers().get(HttpHeaderNames.CONTENT_TYPE), ByteBufUtil.getBytes(req.content()),
                    isLoopback(ctx.channel().remoteAddress()));
        } finally {
            req.release();
        }
        try {
            worker.execute(() -> api.apply(ar).whenComplete((resp, err) -> {
                ApiResponse r = resp != null ? resp : ApiResponse.text(500, "internal error: " + err);
                ctx.executor().execute(() -> write(ctx, r, keepAlive, head));
            }));
        } catch (RejectedExecutionException e) {
            write(ctx, ApiResponse.text(503, "the admin listener is shutting down"), false);
        }
    }

    private void write(ChannelHandlerContext ctx, ApiResponse r, boolean keepAlive) {
        write(ctx, r, keepAlive, false);
    }

    /** @param head answer to a HEAD request: the same head as for GET, Content-Length included, and no body */
    private void write(ChannelHandlerContext ctx, ApiResponse r, boolean keepAlive, boolean head) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        resp.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        for (Map.Entry<String, String> h : r.headers().entrySet()) resp.headers().set(h.getKey(), h.getValue());
        if (!keepAlive) resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (!ctx.channel().isActive()) {
            resp.release();
            return;
        }
        ctx.writeAndFlush(resp).addListener((ChannelFutureListener) f -> {
            if (!keepAlive || !f.isSuccess()) {
                ctx.close();
                return;
            }
            busy = false;
            FullHttpRequest next = waiting.poll();
            if (next != null) start(ctx, next);
        });
    }

    private static boolean isLoopback(SocketAddress a) {
        return a instanceof InetSocketAddress i && i.getAddress() != null && i.getAddress().isLoopbackAddress();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && !busy) ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        FullHttpRequest r;
        while ((r = waiting.poll()) != null) r.release();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
