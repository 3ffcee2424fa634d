package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.List;

/**
 * The first handler of a back-end HTTP/2 stream's channel, the mirror image of {@link H2StreamBridge}:
 * it presents the stream to the HTTP/1.1 pipeline after it ({@link Http1Decoder#forResponses},
 * {@link BackendHandler}) as a connection that carries one exchange, so {@link HttpExchange} and
 * {@link ResponseRelay} work on it unchanged. The request bytes the exchange writes become HEADERS and
 * DATA frames ({@link H1ToH2#requests}, which adds {@code te: trailers}); the back end's frames become the
 * bytes of an HTTP/1.1 response ({@link H2ToH1#responses}, chunked without a content-length so trailers
 * survive).
 *
 * <p>A response that is not valid HTTP/2 (RFC 9113 section 8.1.1) is an I/O failure of the back end:
 * the exchange sees it as a connection that broke (closed before the response, or mid-response), and
 * the stream is reset. The stream is never reused: the exchange closes the channel when it is done,
 * which resets the stream if it has not ended.
 *
 * <p>Threading: the stream channel's event loop (the back-end connection's, the exchange's).
 */
final class H2ClientBridge extends ChannelDuplexHandler {
    /** A back end's HTTP/2 response that cannot be passed on. */
    static final class MalformedResponse extends IOException {
        MalformedResponse(String why) {
            super("malformed HTTP/2 response: " + why);
        }
    }

    private final H1ToH2 out;
    private H2ToH1 in;
    private boolean headRequest;
    private boolean started;
    private boolean failed;

    H2ClientBridge(String scheme) {
        this.out = H1ToH2.requests(scheme);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf b)) {
            ctx.write(msg, promise);
            return;
        }
        if (failed) {
            b.release();
            promise.trySuccess();
            return;
        }
        if (!started) {
            started = true;
            // The exchange's first bytes are the request line (HeadWriter.request): the response to a
            // HEAD has no body whatever its content-length says.
            headRequest = b.readableBytes() >= 5 && b.getByte(b.readerIndex()) == 'H' && b.getByte(b.readerIndex() + 1) == 'E'
                    && b.getByte(b.readerIndex() + 2) == 'A' && b.getByte(b.readerIndex() + 3) == 'D'
                    && b.getByte(b.readerIndex() + 4) == ' ';
        }
        List<Http2StreamFrame> frames;
        try {
            frames = out.write(b);
        } catch (IllegalStateException e) {
            promise.tryFailure(e);
            fail(ctx, new IOException("request bytes not convertible to HTTP/2: " + e.getMessage()));
            return;
        }
        int n = frames.size();
        if (n == 0) {
            promise.trySuccess();
            return;
        }
        for (int i = 0; i < n - 1; i++) ctx.write(frames.get(i), ctx.voidPromise());
        ctx.write(frames.get(n - 1), promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (msg instanceof Http2HeadersFrame f) {
                if (in == null) in = H2ToH1.responses(headRequest);
                fire(ctx, in.headers(ctx.alloc(), f.headers(), f.isEndStream()));
            } else if (msg instanceof Http2DataFrame f) {
                if (in == null) {
                    f.release();
                    throw new H2ToH1.Malformed("DATA before HEADERS");
                }
                fire(ctx, in.data(ctx.alloc(), f.content(), f.isEndStream()));
            } else {
                ReferenceCountUtil.release(msg); // RST_STREAM, WINDOW_UPDATE: Netty acted on them
            }
        } catch (H2ToH1.Malformed e) {
            fail(ctx, new MalformedResponse(e.getMessage()));
        }
    }

    private static void fire(ChannelHandlerContext ctx, ByteBuf b) {
        if (b.isReadable()) ctx.fireChannelRead(b);
        else b.release();
    }

    /** Tells the exchange (through {@link BackendHandler}) that the back end failed, and resets the stream. */
    private void fail(ChannelHandlerContext ctx, IOException why) {
        if (failed) return;
        failed = true;
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
        ctx.fireExceptionCaught(why); // BackendHandler tells the exchange and closes the channel
        ctx.close();
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
