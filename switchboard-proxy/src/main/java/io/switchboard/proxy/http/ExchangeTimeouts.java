package io.switchboard.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.dispatch.Outcome;

/**
 * The timeouts of one {@link HttpExchange}: its one deadline at a time (queue, body rate, response),
 * plus the two stall checks that run beside it (a back end quiet mid-response, a back end that does
 * not read the upload). Arming one is two field writes; the loop's tick calls {@link #check} through
 * the connection, so nothing is scheduled per request.
 *
 * <p>Threading: the client channel's event loop.
 */
final class ExchangeTimeouts {
    /** Which deadline is armed. */
    enum Deadline { NONE, QUEUE, BODY_RATE, RESPONSE }

    private final HttpExchange x;
    private Deadline kind = Deadline.NONE;
    private long deadline;
    /** Body bytes read in the current body-rate window. */
    long bodyWindowBytes;
    /** Coarse time since when the back end has not taken more of the body; 0 while it does. */
    long uploadStalledSince;

    ExchangeTimeouts(HttpExchange exchange) {
        this.x = exchange;
    }

    boolean armed(Deadline k) {
        return kind == k;
    }

    void set(Deadline k, long at) {
        kind = k;
        deadline = at;
    }

    void clear(Deadline k) {
        if (kind == k) {
            kind = Deadline.NONE;
            deadline = 0;
        }
    }

    void armResponse() {
        if (kind == Deadline.RESPONSE || x.phase == HttpExchange.Phase.RESPONDING) return;
        set(Deadline.RESPONSE, System.nanoTime() + x.poolConfig.responseTimeout().toNanos());
    }

    /** Called by the connection on every tick while this exchange is current. */
    void check(long now) {
        if (x.phase == HttpExchange.Phase.RESPONDING && x.backendChannel != null) x.response.backendIdleCheck(now);
        if (uploadStalledSince != 0 && x.backendSaturated()
                && now - uploadStalledSince > x.poolConfig.backendIdleTimeout().toNanos()) {
            uploadStalled();
            return;
        }
        if (kind == Deadline.NONE || now - deadline < 0 || x.phase == HttpExchange.Phase.DONE) return;
        Deadline fired = kind;
        kind = Deadline.NONE;
        deadline = 0;
        switch (fired) {
            case QUEUE -> queueTimeout();
            case BODY_RATE -> bodyRateCheck(now);
            case RESPONSE -> responseTimeout();
            default -> { }
        }
    }

    private void queueTimeout() {
        if (x.queue != null) x.queue.timedOut();
    }

    /**
     * Slowloris on bodies: a client that trickles a request body holds a back-end connection. Every
     * window it must have sent {@code minBodyRate * window} bytes, unless the proxy itself paused
     * reading it (back end not writable, or not yet connected): then the window starts over.
     */
    private void bodyRateCheck(long now) {
        if (x.requestDone) return;
        long windowNanos = x.conn.listener.bodyRateWindow().toNanos();
        long needed = x.conn.listener.minBodyRate() * windowNanos / 1_000_000_000L;
        boolean pausedByUs = !x.conn.ctx.channel().config().isAutoRead() || x.backendChannel == null;
        if (pausedByUs || bodyWindowBytes >= needed) {
            bodyWindowBytes = 0;
            set(Deadline.BODY_RATE, now + windowNanos);
            return;
        }
        x.end.cause("request body slower than " + x.conn.listener.minBodyRate() + " bytes/s (" + bodyWindowBytes + " bytes in "
                + x.conn.listener.bodyRateWindow().toMillis() + " ms)");
        x.complete(Outcome.CLIENT_FAULT, -1, ""); // the client's fault, not the back end's
        if (x.phase == HttpExchange.Phase.RESPONDING) {
            x.end.abortMidResponse();
        } else {
            x.end.respondError(HttpResponseStatus.REQUEST_TIMEOUT, "request body too slow", true);
        }
    }

    private void responseTimeout() {
        if (x.phase != HttpExchange.Phase.FORWARDING) return;
        x.end.cause(x.backend.name() + " sent no response within " + x.poolConfig.responseTimeout().toMillis() + " ms");
        x.end.releaseBackend(false);
        x.complete(Outcome.RESPONSE_TIMEOUT, System.nanoTime() - x.sentNanos, "response timeout");
        if (x.retriedAfterTimeout()) return; // retry-on: response-timeout
        x.end.respondError(HttpResponseStatus.GATEWAY_TIMEOUT, "back end did not answer in time", !x.requestDone);
    }

    /** The back end has not taken any of the request body for its idle timeout. */
    private void uploadStalled() {
        x.end.cause(x.backend.name() + " did not read the request body for " + x.poolConfig.backendIdleTimeout().toMillis() + " ms");
        x.end.releaseBackend(false);
        x.complete(Outcome.WRITE_STALLED, -1, "request body not read");
        if (x.phase == HttpExchange.Phase.RESPONDING) {
            x.end.abortMidResponse();
        } else {
            x.end.respondError(HttpResponseStatus.GATEWAY_TIMEOUT, "back end stopped reading the request", true);
        }
    }
}
