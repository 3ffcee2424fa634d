package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a front-end HTTP/2 stream's channel: it presents the stream to the HTTP/1.1
 * pipeline after it ({@link Http1Decoder}, {@link FrontendHandler}) as a connection that carries one
 * request, so that every stream is an {@link HttpExchange} on the same dispatch path as HTTP/1.1
 * (routes, guards, persistence, retries, timeouts, access log). Inbound frames become the request's
 * HTTP/1.1 bytes ({@link H2ToH1}); the response bytes written back become frames ({@link H1ToH2}).
 *
 * <p>A malformed request (RFC 9113 section 8.1.1) is answered 400 here, with END_STREAM, and nothing of
 * it goes further. Flow control: the stream's window is returned as the channel reads frames, and the
 * HTTP/1.1 pipeline stops reading while the back end cannot take more, so a client can have at most a
 * window in flight; the response side writes only while the stream is writable (its window is open).
 *
 * <p>Threading: the stream channel's event loop (the connection's).
 */
final class H2StreamBridge extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(H2StreamBridge.class);

    private final H2ToH1 in = H2ToH1.requests();
    private final H1ToH2 out = H1ToH2.responses();
    /** The request was refused here: nothing more is read or written but the answer. */
    private boolean refused;
    /** A response head went out: a late refusal (a bad trailer) can only reset the stream. */
    private boolean responding;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (msg instanceof Http2HeadersFrame f) {
                Http2Headers h = f.headers();
                if (!in.done() && h.method() != null) out.headRequest("HEAD".contentEquals(h.method()));
                fire(ctx, in.headers(ctx.alloc(), h, f.isEndStream()));
            } else if (msg instanceof Http2DataFrame f) {
                fire(ctx, in.data(ctx.alloc(), f.content(), f.isEndStream()));
            } else {
                ReferenceCountUtil.release(msg); // RST_STREAM, WINDOW_UPDATE: Netty acted on them
            }
        } catch (H2ToH1.Malformed e) {
            refuse(ctx, e.getMessage());
        }
    }

    private static void fire(ChannelHandlerContext ctx, ByteBuf b) {
        if (b.isReadable()) ctx.fireChannelRead(b);
        else b.release();
    }

    /** Answers 400 with the reason and ends the stream; the client's further frames are dropped. */
    private void refuse(ChannelHandlerContext ctx, String why) {
        refused = true;
        log.debug("HTTP/2 stream from {}: malformed request: {}", ctx.channel().remoteAddress(), why);
        if (responding) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
            ctx.close();
            return;
        }
        byte[] body = ("malformed HTTP/2 request: " + why + "\n").getBytes(StandardCharsets.UTF_8);
        Http2Headers h = new DefaultHttp2Headers().status("400").set("content-type", "text/plain; charset=utf-8")
                .setInt("content-length", body.length);
        ctx.write(new DefaultHttp2HeadersFrame(h, false));
        ctx.writeAndFlush(new DefaultHttp2DataFrame(ctx.alloc().buffer(body.length).writeBytes(body), true));
        ctx.close();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf b)) {
            ctx.write(msg, promise);
            return;
        }
        if (refused) {
            b.release();
            promise.trySuccess();
            return;
        }
        List<Http2StreamFrame> frames;
        try {
            frames = out.write(b);
        } catch (IllegalStateException e) {
            log.warn("HTTP/2 stream: response bytes not convertible, resetting: {}", e.getMessage());
            promise.tryFailure(e);
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
            ctx.close();
            return;
        }
        int n = frames.size();
        if (n == 0) {
            promise.trySuccess();
            return;
        }
        responding = true;
        for (int i = 0; i < n - 1; i++) ctx.write(frames.get(i), ctx.voidPromise());
        ctx.write(frames.get(n - 1), promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        Http2StreamFrame end = out.endAtClose();
        if (end != null) ctx.writeAndFlush(end);
        ctx.close(promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception) {
            // The codec found the stream in error (a content-length the DATA does not match, DATA after its
            // end) and resets it with that error right after telling us, which closes this channel: closing
            // it here first would reset it as CANCEL. The client is no bug to warn about.
            log.debug("HTTP/2 stream from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            refused = true;
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        out.release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        out.release();
        ctx.fireChannelInactive();
    }
}
