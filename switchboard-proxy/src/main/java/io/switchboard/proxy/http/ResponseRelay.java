package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.dispatch.Outcome;

/**
 * The response side of one {@link HttpExchange}: listens to the back-end connection the exchange is
 * attached to, checks the response, frames it for the client's HTTP version and relays it with
 * back-pressure (the back end is not read while the client is not writable, checked after every
 * write).
 *
 * <p>The time to the response head is the exchange's latency sample for {@code fastest}: a long
 * download says nothing about how fast the server is.
 *
 * <p>Threading: the client channel's event loop, shared with the back-end channel.
 */
final class ResponseRelay implements BackendListener {
    /** Body pieces up to this size are sent in the head's buffer (one buffer, one write). */
    static final int MERGE_LIMIT = 2048;

    private final HttpExchange x;
    /**
     * The response head, until the first body piece (copied into it when small) or the end of the read:
     * HTTP/1.1 bytes, or for an HTTP/2 stream an {@link H1ToH2.ResponseHead}.
     */
    Object pendingHead;
    long bytesOut;
    boolean keepAlive;             // the back end keeps the connection open after this response
    boolean closeAfterResponse;    // the client connection closes after this response
    private boolean chunked;       // the body goes to the client chunked
    private boolean bodyless;      // the response to the client has no body (HEAD, 204, 304)
    /** A 1xx head went to the client: the exchange may no longer go to another back end. */
    boolean relayedInterim;
    private long firstByteNanos = -1;
    private long backendActivity;  // coarse time of the last read from the back end

    ResponseRelay(HttpExchange exchange) {
        this.x = exchange;
    }

    private ChannelHandlerContext ctx() {
        return x.conn.ctx;
    }

    /** Time from sending the request to the response head, or -1 before it. */
    long firstByteNanos() {
        return firstByteNanos;
    }

    @Override
    public void onBackendMessage(Object msg) {
        if (x.phase == HttpExchange.Phase.DONE) {
            ReferenceCountUtil.release(msg);
            return;
        }
        backendActivity = x.conn.timers().now();
        if (msg instanceof Head resp) {
            onHead(resp);
        } else if (msg instanceof Body content) {
            onBody(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(Head resp) {
        if (x.phase == HttpExchange.Phase.RESPONDING) {
            badResponse("a second response head");
            return;
        }
        if (resp.failed()) {
            badResponse(resp.failure);
            return;
        }
        int code = resp.status;
        if (code < 200 && code != 101) {
            // e.g. 103 Early Hints: relay to an HTTP/1.1 client, keep waiting for the final one
            if (!x.clientHttp10) {
                relayedInterim = true;
                ctx().write(HeadWriter.response(ctx().alloc(), resp, false, false, false, HeadWriter.Connection.NOTHING),
                        ctx().voidPromise());
            }
            return;
        }
        if (code == 101) {
            if (!x.webSocket) {
                badResponse("back end switched protocols without being asked");
            } else if (!resp.upgradeWebSocket) {
                badResponse("back end switched to a protocol other than the websocket asked for");
            } else {
                switchToTunnel(resp);
            }
            return;
        }
        if (code >= 502 && code <= 504 && x.retriedOnStatus(code)) return; // retry-on: another back end answers
        x.timeouts.clear(ExchangeTimeouts.Deadline.RESPONSE);
        x.phase = HttpExchange.Phase.RESPONDING;
        firstByteNanos = System.nanoTime() - x.sentNanos;
        x.end.status = code;
        if (x.session != null) x.session.onResponse(resp, x.backend, System.nanoTime(), System.currentTimeMillis() / 1000);
        keepAlive = resp.keepAlive;
        // Written with the first body piece (one buffer, one system call for a small response), or
        // at the end of this read.
        pendingHead = prepare(resp);
    }

    /** Relays the 101 and hands both connections to a {@link WebSocketTunnel}. */
    private void switchToTunnel(Head resp) {
        x.timeouts.clear(ExchangeTimeouts.Deadline.RESPONSE);
        x.phase = HttpExchange.Phase.RESPONDING;
        firstByteNanos = System.nanoTime() - x.sentNanos;
        x.end.status = 101;
        if (x.session != null) x.session.onResponse(resp, x.backend, System.nanoTime(), System.currentTimeMillis() / 1000);
        ctx().write(HeadWriter.response(ctx().alloc(), resp, false, false, false, HeadWriter.Connection.UPGRADE, 0,
                x.responseEdits), ctx().voidPromise());
        new WebSocketTunnel(x, firstByteNanos).start();
    }

    private void onBody(Body content) {
        if (x.phase != HttpExchange.Phase.RESPONDING) {
            content.release();
            badResponse("content before response head");
            return;
        }
        if (content.failure != null) {
            content.release();
            x.end.cause("malformed response body from " + x.backend.name() + ": " + content.failure);
            x.complete(Outcome.BROKEN_MID_RESPONSE, firstByteNanos, "malformed body");
            x.end.abortMidResponse();
            return;
        }
        ChannelHandlerContext ctx = ctx();
        Object pending = pendingHead;
        if (pending != null) {
            pendingHead = null;
            ByteBuf data = content.content();
            int n = data.readableBytes();
            if (pending instanceof ByteBuf head && n > 0 && n <= MERGE_LIMIT && !bodyless && !chunked) {
                head.writeBytes(data);
                content.release();
                bytesOut += n;
                ctx.write(head, ctx.voidPromise());
                if (content.last) x.end.endExchange();
                else pauseIfClientFull();
                return;
            }
            ctx.write(pending, ctx.voidPromise());
        }
        bytesOut += content.content().readableBytes();
        if (bodyless) {
            content.release();
        } else {
            Http1Encoder.writeBody(ctx.channel(), content, chunked);
        }
        if (content.last) x.end.endExchange();
        else pauseIfClientFull();
    }

    /** Back-pressure after every write: a slow client stops the back end from being read. */
    private void pauseIfClientFull() {
        Channel backend = x.backendChannel;
        if (backend != null && !ctx().channel().isWritable()) {
            FrontendHandler.setAutoRead(backend, false);
            ClientDeadlines.clientStalled(x.conn);
        }
    }

    @Override
    public void onBackendReadComplete() {
        writePendingHead();
        ctx().flush();
        pauseIfClientFull();
    }

    @Override
    public void onBackendWritable() {
        x.backendWritable();
    }

    /**
     * A response that started must keep coming: the back end may not go quiet for longer than the
     * pool's back-end idle timeout while we wait for it (not while we paused reading it ourselves).
     */
    void backendIdleCheck(long now) {
        Channel ch = x.backendChannel;
        if (!ch.config().isAutoRead()) {
            backendActivity = now;
        } else if (now - backendActivity > x.poolConfig.backendIdleTimeout().toNanos()) {
            x.end.cause(x.backend.name() + " idle mid-response for " + x.poolConfig.backendIdleTimeout().toMillis() + " ms");
            x.complete(Outcome.BROKEN_MID_RESPONSE, firstByteNanos, "idle mid-response");
            x.end.abortMidResponse();
        }
    }

    @Override
    public void onBackendClosed(Throwable why) {
        if (x.phase == HttpExchange.Phase.DONE || x.conn.closing) return;
        x.timeouts.clear(ExchangeTimeouts.Deadline.RESPONSE);
        x.backendChannel = null;
        x.backendHandler = null;
        String what = why == null ? "connection closed" : ExchangeEnd.describe(why);
        if (x.phase == HttpExchange.Phase.RESPONDING) {
            x.end.cause(x.backend.name() + " " + what + " mid-response");
            x.complete(Outcome.BROKEN_MID_RESPONSE, firstByteNanos, what);
            x.end.abortMidResponse();
            return;
        }
        x.closedBeforeResponse(what);
    }

    private void badResponse(String what) {
        x.end.cause("bad response from " + x.backend.name() + ": " + what);
        if (x.phase == HttpExchange.Phase.RESPONDING) {
            x.complete(Outcome.BROKEN_MID_RESPONSE, firstByteNanos, what);
            x.end.abortMidResponse();
            return;
        }
        x.end.releaseBackend(false);
        x.complete(Outcome.BAD_RESPONSE, -1, what);
        x.end.respondError(HttpResponseStatus.BAD_GATEWAY, "invalid response from back end", !x.requestDone);
    }

    /** The response head for the client, and the framing of the body that follows. */
    private Object prepare(Head resp) {
        int status = resp.status;
        boolean noBody = x.isHeadRequest() || status == 204 || status == 304;
        boolean framed = resp.chunked || resp.contentLength >= 0 || noBody;
        boolean clientKeepAlive = x.clientKeepAlive && !x.conn.state.draining() && x.requestDone;
        boolean dropTransferEncoding = false;
        boolean addChunked = false;
        bodyless = noBody;
        if (x.clientHttp10) {
            if (resp.chunked) {
                // HTTP/1.0 has no chunked coding: send the body raw and end it by closing.
                dropTransferEncoding = true;
                clientKeepAlive = false;
            } else if (!framed) {
                clientKeepAlive = false;
            }
            chunked = false;
        } else {
            // A back end that ends its body by closing: give our client chunked framing so it can stay.
            addChunked = !framed;
            chunked = !noBody && (resp.chunked || !framed);
        }
        closeAfterResponse = !clientKeepAlive;
        HeadWriter.Connection c = !clientKeepAlive ? HeadWriter.Connection.CLOSE
                : x.clientHttp10 ? HeadWriter.Connection.KEEP_ALIVE : HeadWriter.Connection.NOTHING;
        if (x.conn.stream) {
            // HTTP/2: the frames are made from the parsed head, no HTTP/1.1 bytes in between.
            return H1ToH2.ResponseHead.of(resp, x.responseEdits, noBody, chunked ? -1 : resp.contentLength);
        }
        int room = !noBody && !chunked && resp.contentLength > 0 && resp.contentLength <= MERGE_LIMIT
                ? (int) resp.contentLength : 0;
        return HeadWriter.response(ctx().alloc(), resp, x.clientHttp10, dropTransferEncoding, addChunked, c, room, x.responseEdits);
    }

    void writePendingHead() {
        Object h = pendingHead;
        if (h != null) {
            pendingHead = null;
            ctx().write(h, ctx().voidPromise());
        }
    }
}
