package io.switchboard.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.dispatch.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-side timeouts of one HTTP/1 connection ({@link FrontendHandler}), fired by its event
 * loop's {@link ConnectionTimers} tick: the first request head must be complete within the listener's
 * header timeout from accept (a client that connects and sends nothing is closed quietly then, one that
 * sent part of a head gets 408); later heads from their first byte, after at most the client idle
 * timeout between requests. A client that stops reading a response for the client idle timeout is
 * cut, which frees the back-end connection and its max-connections slot. While an exchange runs, its
 * own {@link ExchangeTimeouts} are checked instead; once the connection is a tunnel, the tunnel's.
 *
 * <p>Static methods over the handler's fields, not an object of its own: every connection, idle ones
 * included, needs this state (the keep-alive deadline), and an object per connection would add its
 * header and a reference to the live heap of every idle connection (bench/RESULTS.md, "live heap per
 * idle connection").
 *
 * <p>Threading: the connection's event loop.
 */
final class ClientDeadlines {
    /** The connection's logger: its lines keep the category they had before this was split off. */
    private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

    /** The connection's own deadline, between and before exchanges (a byte, not an enum reference: heap per idle connection). */
    static final byte WAIT_NONE = 0;
    static final byte WAIT_IDLE = 1;
    static final byte WAIT_HEAD = 2;

    private ClientDeadlines() {}

    /** Accept: the first head must be complete within the header timeout. */
    static void awaitFirstHead(FrontendHandler h) {
        wait(h, WAIT_HEAD, System.nanoTime() + h.listener.headerTimeout().toNanos());
    }

    /** An exchange ended and the connection goes on: the keep-alive idle timeout runs until the next head begins. */
    static void awaitNextRequest(FrontendHandler h) {
        h.headBytes = false;
        wait(h, WAIT_IDLE, System.nanoTime() + h.listener.clientIdleTimeout().toNanos());
    }

    /** A request head starts an exchange: its timeouts are the exchange's now. */
    static void exchangeStarts(FrontendHandler h) {
        h.waiting = WAIT_NONE;
        h.headBytes = false;
    }

    /** The connection became a tunnel: the tunnel's timeouts rule from now on. */
    static void tunnelStarts(FrontendHandler h) {
        h.waiting = WAIT_NONE;
    }

    /** Called by the decoder when the first byte of a request head arrives. */
    static void requestBytes(FrontendHandler h) {
        if (h.exchange == null && h.waiting == WAIT_IDLE && !h.closing) {
            wait(h, WAIT_HEAD, System.nanoTime() + h.listener.headerTimeout().toNanos());
        }
        h.headBytes = true;
    }

    /** Called by the decoder when a request head does not complete in the read it began in. */
    static void headPending(FrontendHandler h, long firstByteNanos) {
        h.partialHeadSince = firstByteNanos;
    }

    /** A request head is complete. */
    static void headComplete(FrontendHandler h) {
        h.partialHeadSince = 0;
    }

    private static void wait(FrontendHandler h, byte w, long at) {
        h.waiting = w;
        h.waitDeadline = at;
    }

    /** Our writes to the client are piling up; the send timeout runs until it drains. */
    static void clientStalled(FrontendHandler h) {
        if (h.clientStalledSince == 0) h.clientStalledSince = h.timers().now() | 1;
    }

    /** The client drained what we wrote: no send timeout runs. */
    static void clientDrained(FrontendHandler h) {
        h.clientStalledSince = 0;
    }

    /** The tick: fires whatever deadline of the connection passed ({@link ConnectionTimers.Timed#checkDeadline}). */
    static void check(FrontendHandler h, long now) {
        if (h.closing) return;
        if (h.tunnel != null) {
            h.tunnel.check(now);
            return;
        }
        if (h.clientStalledSince != 0 && now - h.clientStalledSince > h.listener.clientIdleTimeout().toNanos()) {
            clientSendTimeout(h);
            return;
        }
        HttpExchange x = h.exchange;
        if (x != null) {
            x.timeouts.check(now);
            return;
        }
        if (h.waiting == WAIT_NONE || now - h.waitDeadline < 0 || !h.timers().takeExpiry()) return;
        byte w = h.waiting;
        h.waiting = WAIT_NONE;
        if (w == WAIT_IDLE || !h.headBytes) {
            // Keep-alive idle between requests, or a connection that never sent a byte: close quietly
            // (a browser's pre-connection is not an error worth a 408).
            if (h.queued() == 0) {
                h.closing = true;
                h.ctx.close();
            }
            return;
        }
        headTimeout(h);
    }

    private static void headTimeout(FrontendHandler h) {
        if (!h.ctx.channel().isActive()) return;
        // Slowloris guard: a request head that does not complete in time.
        long since = h.partialHeadSince;
        HttpExchange x = new HttpExchange(h, null, since != 0 ? since : System.nanoTime());
        h.exchange = x;
        x.end.cause("request head not received within " + h.listener.headerTimeout().toMillis() + " ms");
        x.end.respondError(HttpResponseStatus.REQUEST_TIMEOUT, "request head not received in time", true);
    }

    /** The client stopped reading our response for the client idle timeout: cut it. */
    private static void clientSendTimeout(FrontendHandler h) {
        HttpExchange x = h.exchange;
        log.debug("client {}: not reading for {} ms, closing", h.clientIp, h.listener.clientIdleTimeout().toMillis());
        if (x != null && x.phase != HttpExchange.Phase.DONE) {
            x.end.cause("client did not read the response for " + h.listener.clientIdleTimeout().toMillis() + " ms");
            x.complete(Outcome.CLIENT_FAULT, -1, "");
            x.end.abortMidResponse();
        } else {
            h.closing = true;
            h.ctx.close();
        }
    }
}
