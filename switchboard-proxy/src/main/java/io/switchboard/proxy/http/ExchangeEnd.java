package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.dispatch.Outcome;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.guard.Verdict;
import io.switchboard.proxy.tls.BackendTls;
import java.io.IOException;
import java.net.ConnectException;
import java.util.Locale;

/**
 * How one {@link HttpExchange} ends, each way once: the response relayed completely ({@link
 * #endExchange}), an answer of our own ({@link #respondError}), or a cut mid-response ({@link
 * #abortMidResponse}). Each releases the back-end connection (pooled only when clean), accounts the
 * attempt if it was not yet, writes the access record and hands the connection back to {@link
 * FrontendHandler} for the next request.
 *
 * <p>Threading: the client channel's event loop.
 */
final class ExchangeEnd {
    private final HttpExchange x;
    int status;
    private String cause = "-";
    private int retryAfter;        // seconds for a refusal's Retry-After; 0: none of our own

    ExchangeEnd(HttpExchange exchange) {
        this.x = exchange;
    }

    String cause() {
        return cause;
    }

    void cause(String c) {
        cause = c;
    }

    /** The Retry-After (seconds) of the error answered next; 0: the default. */
    void retryAfter(int seconds) {
        retryAfter = seconds;
    }

    /** The response was relayed completely. */
    void endExchange() {
        ResponseRelay r = x.response;
        r.writePendingHead();
        boolean ok = !(status >= 500 && x.poolConfig.passive().count5xx());
        // Not pooled when the back end sent anything past the response (a body on a HEAD answer,
        // more than its Content-Length): those bytes would become the next request's "response".
        // Nor after a WebSocket handshake it declined: it was asked to switch protocols on this connection.
        boolean reusable = r.keepAlive && x.requestSent && !x.webSocket && x.backendHandler != null
                && x.backendHandler.decoder().reusable();
        releaseBackend(reusable);
        x.complete(ok ? Outcome.OK : Outcome.SERVER_ERROR, r.firstByteNanos(), "HTTP " + status);
        finish();
        x.conn.exchangeEnded(r.closeAfterResponse);
    }

    /** A response that already started cannot be replaced by an error: cut the client connection. */
    void abortMidResponse() {
        x.response.writePendingHead(); // what the client got so far, then the cut
        releaseBackend(false);
        x.complete(Outcome.BROKEN_MID_RESPONSE, -1, "aborted"); // no-op when already accounted
        finish();
        x.conn.abort();
    }

    /** An error in the middle of forwarding the request body (malformed, too large): the client's fault. */
    void failExchange(HttpResponseStatus st, String reason) {
        releaseBackend(false);
        x.complete(Outcome.CLIENT_FAULT, -1, "");
        if (x.phase == HttpExchange.Phase.RESPONDING) {
            abortMidResponse();
            return;
        }
        respondError(st, reason, true);
    }

    /** A request the decoder refused: answer with its status and close. */
    void rejectMalformed(Head req) {
        String reason = switch (req.failureStatus) {
            case 414 -> "request line too long";
            case 431 -> "request header too large";
            default -> "malformed request";
        };
        cause = req.failure;
        respondError(HttpResponseStatus.valueOf(req.failureStatus), reason, true);
    }

    /** A request a guard refused: answer with its status and close. */
    void refuse(Verdict v) {
        String reason = switch (v.status()) {
            case 403 -> "your address may not use this service";
            case 429 -> "too many requests, slow down";
            default -> "refused";
        };
        cause = v.reason();
        retryAfter = v.retryAfter();
        respondError(HttpResponseStatus.valueOf(v.status()), reason, true);
    }

    /** Answers the request ourselves. {@code close} when the rest of the request cannot be trusted or skipped. */
    void respondError(HttpResponseStatus st, String reason, boolean close) {
        if (x.phase == HttpExchange.Phase.DONE) return;
        if (x.queue != null) x.queue.leave();
        status = st.code();
        x.conn.counters.refused(status);
        if (cause.equals("-")) cause = reason;
        releaseBackend(false);
        x.complete(Outcome.CLIENT_FAULT, -1, ""); // anything still reserved was not the back end's doing
        FrontendHandler conn = x.conn;
        // The rest of an answered request's body is read and dropped (the connection discards body
        // pieces with no exchange), unless the client waits for 100-continue: then it is ambiguous
        // what comes next.
        boolean keepAlive = !close && x.clientKeepAlive && !conn.state.draining()
                && !(x.request != null && x.request.expect == Head.EXPECT_CONTINUE && !x.requestDone);
        boolean headRequest = x.isHeadRequest();
        ChannelHandlerContext ctx = conn.ctx;
        ByteBuf resp = ErrorResponse.of(ctx.alloc(), st, reason, !keepAlive, x.clientHttp10, retryAfter, headRequest);
        if (!headRequest) x.response.bytesOut += ErrorResponse.body(st, reason).length;
        finish();
        conn.answered(resp, keepAlive);
    }

    /**
     * Answers a request as a route says (redirect, deny, fixed response), without a back end. The
     * connection stays open for the next request when the client keeps it alive.
     *
     * @param location for a redirect; null otherwise
     */
    void answer(int st, String body, String location) {
        answer(st, body, location, 0);
    }

    /** @param retryAfterSeconds sent as {@code Retry-After} when more than 0 */
    void answer(int st, String body, String location, long retryAfterSeconds) {
        if (x.phase == HttpExchange.Phase.DONE) return;
        status = st;
        FrontendHandler conn = x.conn;
        boolean keepAlive = x.clientKeepAlive && !conn.state.draining()
                && !(x.request != null && x.request.expect == Head.EXPECT_CONTINUE && !x.requestDone);
        boolean headRequest = x.isHeadRequest();
        ByteBuf resp = ErrorResponse.answer(conn.ctx.alloc(), st, body, location, retryAfterSeconds, !keepAlive, x.clientHttp10,
                headRequest);
        if (!headRequest) x.response.bytesOut += body.length();
        finish();
        conn.answered(resp, keepAlive);
    }

    /** Detaches the back-end connection; pools it when {@code reusable}, else closes it. */
    void releaseBackend(boolean reusable) {
        Channel ch = x.backendChannel;
        BackendHandler bh = x.backendHandler;
        x.backendChannel = null;
        x.backendHandler = null;
        if (ch == null) return;
        bh.detach();
        if (reusable && ch.isActive() && !x.proxyHeaderSent) {
            x.conn.connections.offer(x.backend, ch, bh, x.poolConfig.maxIdlePerBackend());
        } else {
            ch.close();
        }
    }

    /** The client left before the exchange ended. */
    void clientGone() {
        if (x.phase == HttpExchange.Phase.DONE) return;
        if (x.queue != null) x.queue.leave();
        if (status == 0) {
            status = 499; // nginx's "client closed request"
            cause = "client closed connection";
        }
        releaseBackend(false);
        x.complete(Outcome.CLIENT_FAULT, -1, ""); // the client left: not the back end's fault
        x.discard();
        finish();
    }

    /**
     * The WebSocket tunnel this exchange became ended (both connections are closing): the attempt is
     * accounted now, with the time to the 101 as its latency, and the access line written.
     */
    void tunnelEnded(String why, long firstByteNanos) {
        if (x.phase == HttpExchange.Phase.DONE) return;
        cause = why;
        x.complete(Outcome.OK, firstByteNanos, "tunnel");
        finish();
    }

    private void finish() {
        x.phase = HttpExchange.Phase.DONE;
        x.timeouts.clear(ExchangeTimeouts.Deadline.RESPONSE);
        if (x.attempts != null) x.attempts.finish();
        if (x.request != null) x.conn.state.exchangeEnded();
        logAccess();
    }

    private void logAccess() {
        FrontendHandler conn = x.conn;
        if (!conn.state.recordsExchanges()) return;
        long micros = (System.nanoTime() - x.startNanos) / 1000;
        conn.state.finished(new AccessRecord(System.currentTimeMillis(), conn.clientIp, conn.listener.name(),
                x.method, x.target(), x.clientVersion == null ? "-" : x.clientVersion, status,
                x.backend == null ? "-" : x.backend.label(),
                x.bytesIn, x.response.bytesOut, micros, x.attempts == null ? 0 : x.attempts.retried(), cause,
                headerOrDash(Head.REFERER), headerOrDash(Head.USER_AGENT)),
                x.dispatch == null ? null : x.dispatch.pool(), x.backend);
    }

    private String headerOrDash(byte kind) {
        String v = x.request == null ? null : x.request.value(kind);
        return v == null ? "-" : v;
    }

    /** A connect or I/O failure in words for the access log and the passive-failure record. */
    static String describe(Throwable t) {
        if (t instanceof BackendTls.HandshakeFailed) return t.getMessage();
        if (t instanceof ConnectTimeoutException) return "connect timeout";
        if (t instanceof ConnectException) {
            String m = t.getMessage();
            return m != null && m.toLowerCase(Locale.ROOT).contains("refused") ? "connection refused" : "connect error: " + m;
        }
        if (t instanceof IOException) {
            String m = t.getMessage();
            return m != null && m.toLowerCase(Locale.ROOT).contains("reset") ? "connection reset" : "I/O error: " + m;
        }
        return t.toString();
    }
}
