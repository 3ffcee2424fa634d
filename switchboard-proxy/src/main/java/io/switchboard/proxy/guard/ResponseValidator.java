package io.switchboard.proxy.guard;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits right after the client codec of a back-end connection and marks responses that must not be
 * relayed as decoder failures: the front end then answers the client 502 and closes this connection
 * instead of returning it to the pool. What it marks are the violations {@link HeadScanner} found in
 * the raw response head (obs-fold, whitespace in or after a field name, a Transfer-Encoding other
 * than exactly {@code chunked}, a malformed status line, a status outside 100-599); Netty's decoder
 * already refuses the rest (both Content-Length and Transfer-Encoding, several Content-Lengths,
 * malformed chunks, control characters, bare CR or LF).
 *
 * <p>A final response head is held back until the first piece of its body or the end of the read it
 * came in, whichever is first, so that a body that is malformed right from its start (a bad first
 * chunk size) fails the head too and the client gets a clean 502 instead of a response cut short.
 * This never delays a head past the read it arrived in. A body that goes wrong later can only be
 * cut off, as with any streaming proxy.
 *
 * <p>It re-arms the scanner when a final response has been read completely, so the next response
 * head on this connection is scanned again.
 *
 * <p>Threading: the channel's event loop.
 */
public final class ResponseValidator extends ChannelInboundHandlerAdapter {
    private HeadScanner scanner;
    private int ordinal;
    private boolean interim;
    private HttpResponse held;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        scanner = ctx.pipeline().get(HeadScanner.class);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse resp) {
            releaseHeld(ctx);
            ordinal++;
            int code = resp.status().code();
            interim = code >= 100 && code < 200 && code != 101;
            if (resp.decoderResult().isSuccess()) {
                String why = scanner == null ? null : scanner.violation(ordinal, HeadScanner.Part.HEAD);
                if (why == null && (code < 100 || code > 599)) why = "status code " + code + " out of range (100-599)";
                if (why != null) {
                    resp.setDecoderResult(DecoderResult.failure(new InvalidMessageException(why)));
                } else if (!interim && !(resp instanceof HttpContent)) {
                    held = resp;
                    return;
                }
            }
        } else if (held != null && msg instanceof HttpContent content && content.decoderResult().isFailure()) {
            HttpResponse head = held;
            held = null;
            head.setDecoderResult(DecoderResult.failure(new InvalidMessageException(
                    "malformed response body: " + content.decoderResult().cause().getMessage())));
            ReferenceCountUtil.release(msg);
            ctx.fireChannelRead(head);
            return;
        }
        releaseHeld(ctx);
        if (msg instanceof LastHttpContent && !interim && scanner != null) scanner.rearm();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        releaseHeld(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld(ctx);
        ctx.fireChannelInactive();
    }

    private void releaseHeld(ChannelHandlerContext ctx) {
        HttpResponse head = held;
        if (head != null) {
            held = null;
            ctx.fireChannelRead(head);
        }
    }
}
