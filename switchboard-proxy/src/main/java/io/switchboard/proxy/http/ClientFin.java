package io.switchboard.proxy.http;

import java.util.ArrayDeque;

/**
 * A client's FIN on an HTTP/1 connection that allows half-closure (plain text; {@link
 * HttpFrontendInitializer} sets it): {@code printf ... | nc -N}, scripts, some health checkers shut
 * their sending side after the request. What the client sent whole is answered, pipelined requests
 * too, then the connection closes ({@link FrontendHandler#exchangeEnded}, {@link
 * FrontendHandler#answered}), as HAProxy does; HAProxy and NGINX both answer a malformed request that
 * ends in a FIN. A request cut short can never be whole: the exchange ends as when the client goes
 * away (499); so does a WebSocket handshake (a tunnel with a closed client side would only wait for
 * its idle timeout). A FIN looks the same whether the client is done or gone, so a whole request from
 * a client that left is served too (HAProxy's default; its {@code abortonclose} is not offered).
 *
 * <p>Static methods over the handler's fields, as {@link ClientDeadlines}: no object per connection.
 *
 * <p>Threading: the connection's event loop.
 */
final class ClientFin {
    private ClientFin() {}

    static void finishedSending(FrontendHandler h) {
        if (h.closing) return; // an answer is on its way, then the close
        h.inputShut = true;
        HttpExchange x = h.exchange;
        boolean nothingToAnswer = x == null && h.queued() == 0;
        if (nothingToAnswer || x != null && x.webSocket || !sentWhole(h, x)) {
            h.closing = true; // close at once: channelInactive ends an exchange in flight
            h.ctx.close();
        }
    }

    /** Everything the client sent ends with a whole request: the current one's body done, or its end queued. */
    private static boolean sentWhole(FrontendHandler h, HttpExchange x) {
        ArrayDeque<Object> q = h.inbound;
        Object last = q == null ? null : q.peekLast();
        if (last == null) return x == null || x.requestDone;
        return last instanceof Body b && (b.last || b.failure != null);
    }
}
