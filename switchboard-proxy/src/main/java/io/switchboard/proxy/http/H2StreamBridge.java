package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
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
import io.netty.handler.codec.http2.Http2ResetFrame;
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
 * <p>WebSocket over HTTP/2 (RFC 8441): the extended CONNECT goes on as an HTTP/1.1 handshake, the
 * back end's 101 comes back as 200, and from then on DATA carry the tunnel's bytes both ways. The
 * tunnel's end ends the stream, not the connection: an empty DATA with END_STREAM (then RST_STREAM
 * NO_ERROR if the client has not ended its side, RFC 9113 section 8.1), or RST_STREAM CANCEL when it
 * broke (RFC 8441 section 4); the client's END_STREAM ends the tunnel (half-close is not kept, as
 * on HTTP/1.1).
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
    /**
     * The write of the frame that ends the stream, once written. A write that makes no frame (the empty
     * buffer written before a close) completes with it: frames wait in the flow controller while the
     * client's window is closed, and a close must not overtake them (it would reset the stream and drop
     * them). Only that frame gets a promise of its own; the others are written with the void promise.
     */
    private ChannelFuture endFrame;
    /** RST_STREAM was written: nothing more goes out on the stream. */
    private boolean reset;
    /** The stream is being closed after its end went out: a tunnel's late bytes have nowhere to go. */
    private boolean ending;

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
                ByteBuf b = in.headers(ctx.alloc(), h, f.isEndStream());
                if (in.webSocket()) out.webSocket();
                fire(ctx, b);
            } else if (msg instanceof Http2DataFrame f) {
                fire(ctx, in.data(ctx.alloc(), f.content(), f.isEndStream()));
                if (f.isEndStream() && out.tunnel()) ctx.channel().close(); // the client ended the tunnel
            } else {
                ReferenceCountUtil.release(msg); // RST_STREAM, WINDOW_UPDATE: Netty acted on them
            }
        } catch (H2ToH1.Malformed e) {
            refuse(ctx, e.status, e.getMessage());
        }
    }

    private static void fire(ChannelHandlerContext ctx, ByteBuf b) {
        if (b.isReadable()) ctx.fireChannelRead(b);
        else b.release();
    }

    /** Answers 400 with the reason and ends the stream; the client's further frames are dropped. */
    private void refuse(ChannelHandlerContext ctx, String why) {
        refuse(ctx, 400, why);
    }

    /** Answers {@code status} (400: malformed, 501: not implemented) with the reason and ends the stream. */
    private void refuse(ChannelHandlerContext ctx, int status, String why) {
        refused = true;
        log.debug("HTTP/2 stream from {}: refused request ({}): {}", ctx.channel().remoteAddress(), status, why);
        if (responding) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
            ctx.close();
            return;
        }
        byte[] body = ((status == 400 ? "malformed HTTP/2 request: " : "") + why + "\n").getBytes(StandardCharsets.UTF_8);
        Http2Headers h = new DefaultHttp2Headers().status(Integer.toString(status)).set("content-type", "text/plain; charset=utf-8")
                .setInt("content-length", body.length);
        ctx.write(new DefaultHttp2HeadersFrame(h, false));
        // Closed once the body is out: the close resets a stream the client has not ended, which would
        // drop DATA still queued for flow control (or for the flush at the end of this read).
        ctx.writeAndFlush(new DefaultHttp2DataFrame(ctx.alloc().buffer(body.length).writeBytes(body), true))
                .addListener(f -> ctx.close());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof H1ToH2.ResponseHead head && !refused) {
            responding = true;
            writeFrame(ctx, out.head(head), promise);
            return;
        }
        if (!(msg instanceof ByteBuf b)) {
            if (msg instanceof Http2ResetFrame) reset = true;
            ctx.write(msg, promise);
            return;
        }
        if (refused || ending) {
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
            ChannelFuture last = endFrame;
            if (last == null || last.isDone()) {
                promise.trySuccess();
            } else if (!promise.isVoid()) {
                last.addListener(f -> promise.trySuccess());
            }
            return;
        }
        responding = true;
        for (int i = 0; i < n - 1; i++) ctx.write(frames.get(i), ctx.voidPromise());
        writeFrame(ctx, frames.get(n - 1), promise);
    }

    private void writeFrame(ChannelHandlerContext ctx, Http2StreamFrame frame, ChannelPromise promise) {
        boolean end = frame instanceof Http2HeadersFrame h ? h.isEndStream() : frame instanceof Http2DataFrame d && d.isEndStream();
        if (end) {
            ChannelPromise p = promise.isVoid() ? ctx.newPromise() : promise;
            endFrame = p;
            ctx.write(frame, p);
        } else {
            ctx.write(frame, promise);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        boolean tunnel = out.tunnel();
        Http2StreamFrame end = reset ? null : out.endAtClose();
        if (end != null) {
            ending = true;
            // As in refuse: the reset that a close may bring must not overtake the DATA still queued.
            ctx.writeAndFlush(end).addListener(f -> {
                // Our side is complete; a tunnel's client is told to stop sending, without an error.
                if (tunnel && !in.done()) ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
                ctx.close(promise);
            });
            return;
        }
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
