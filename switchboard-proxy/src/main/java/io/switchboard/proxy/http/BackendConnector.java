package io.switchboard.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.backend.Backend;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.dispatch.Attempts;
import io.switchboard.dispatch.Outcome;
import io.switchboard.proxy.proxyprotocol.ClientAddress;
import io.switchboard.proxy.proxyprotocol.ProxyHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The back-end connection of an exchange whose back end is picked and reserved: a pooled idle one when
 * the request may borrow it, else a new one (behind a PROXY header when the server or its pool sends
 * one); a connect that fails is accounted, and under the rules of {@link Attempts} the exchange
 * dispatches again. Once there is a connection the exchange is attached to it and the request head
 * goes out.
 *
 * <p>Static methods over the exchange's fields, not an object of its own: an exchange is made per
 * request, and a connector object would be one more allocation per request.
 *
 * <p>Threading: the client channel's event loop; the back-end channel is on the same loop.
 */
final class BackendConnector {
    /** The exchange's logger: its lines keep the category they had before this was split off. */
    private static final Logger log = LoggerFactory.getLogger(HttpExchange.class);
    private static final byte[] PROTO_HTTP = HeadWriter.ascii("http");
    private static final byte[] PROTO_HTTPS = HeadWriter.ascii("https");
    private static final byte[] NO_BYTES = new byte[0];

    private BackendConnector() {}

    /**
     * Gets {@code x} a connection to {@code b}, its reserved back end, and attaches it; or, for a connect
     * still under way, does so when it completes (dispatching again if it fails and may be retried).
     *
     * @return true when the connect failed at once and another attempt should be made now
     */
    static boolean connect(HttpExchange x, Backend b) {
        // A handshake goes on a new connection: a pooled one may be stale, and it will not come back.
        // send-proxy (the server's own, else the pool's): every connection is new and this client's
        // alone (the header names the client).
        ProxyProtocolVersion sendProxy = x.poolConfig.h2() ? null : b.sendProxy().or(x.poolConfig.sendProxy());
        Channel ch = x.idempotent && !x.webSocket && !x.poolConfig.h2() && sendProxy == null
                ? x.conn.connections.poll(b, x.poolConfig.tls()) : null;
        if (ch != null) {
            x.reusedConnection = true;
            x.proxyHeaderSent = false;
            attach(x, ch);
            return false;
        }
        x.reusedConnection = false;
        x.proxyHeaderSent = sendProxy != null;
        ChannelFuture f = sendProxy != null
                ? x.conn.connections.connect(b, x.poolConfig.connectTimeout().toMillis(), x.poolConfig.backendIdleTimeout().toMillis(),
                        x.poolConfig.tls(), ProxyHeader.sender(sendProxy, ClientAddress.of(x.conn.connection()),
                                x.conn.connection().localAddress()))
                : x.conn.connections.connect(b, x.poolConfig.connectTimeout().toMillis(),
                        x.poolConfig.backendIdleTimeout().toMillis(), x.poolConfig.tls(), x.poolConfig.h2());
        if (f.isDone()) {
            if (f.isSuccess()) {
                attach(x, f.channel());
                return false;
            }
            return connectFailed(x, b, f.cause());
        }
        f.addListener((ChannelFutureListener) done -> {
            if (x.phase != HttpExchange.Phase.DISPATCHING || x.backend != b) {
                if (done.isSuccess()) done.channel().close();
                return;
            }
            if (done.isSuccess()) {
                attach(x, done.channel());
            } else if (connectFailed(x, b, done.cause())) {
                x.dispatch();
            }
        });
        return false;
    }

    /** @return true when another attempt should be made */
    private static boolean connectFailed(HttpExchange x, Backend b, Throwable why) {
        String what = ExchangeEnd.describe(why);
        x.end.cause("connect to " + b.name() + " (" + b.address() + ") failed: " + what);
        log.debug("{}", x.end.cause());
        Outcome o = x.attempts.connectFailed(b);
        x.complete(o, -1, "connect " + what);
        x.lastFailure = null; // none could be reached: 503
        if (x.attempts.mayRetry(o, true)) return true;
        x.end.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "no back end could be reached", false);
        return false;
    }

    private static void attach(HttpExchange x, Channel ch) {
        x.phase = HttpExchange.Phase.FORWARDING;
        x.backendChannel = ch;
        BackendHandler bh = (BackendHandler) ch.pipeline().get("backend");
        x.backendHandler = bh;
        bh.attach(x.response);
        bh.decoder().expectResponseTo(x.request.isHead());
        if (x.webSocket) bh.decoder().expectUpgrade();
        x.response.keepAlive = true;
        x.sentNanos = System.nanoTime();
        // A request that names no host (HTTP/1.0 without Host) goes on as HTTP/1.1, which needs one:
        // the back end's host:port, as NGINX's default proxy_set_header Host $proxy_host.
        byte[] hostIfMissing = x.request.hasHost ? NO_BYTES : HeadWriter.ascii(x.backend.address());
        FrontendHandler conn = x.conn;
        ch.write(HeadWriter.request(ch.alloc(), x.request, conn.clientIpBytes,
                conn.listener.tls() == null ? PROTO_HTTP : PROTO_HTTPS,
                x.request.expect == Head.EXPECT_CONTINUE, hostIfMissing, x.requestEdits), ch.voidPromise());
        if (x.expectContinue && !x.requestDone) {
            x.expectContinue = false;
            conn.ctx.writeAndFlush(HeadWriter.continueResponse(), conn.ctx.voidPromise());
        }
        if (x.requestDone) {
            // A request being replayed after a failed attempt, whose (empty) body was read already
            // (anything queued is the next request).
            Http1Encoder.writeBody(ch, Body.EMPTY_LAST, x.requestChunked);
            x.requestSent = true;
            x.timeouts.armResponse();
        }
        conn.drain();
        if (x.backendChannel != ch) return; // the exchange ended while draining (bad body)
        ch.flush();
        if (!x.requestDone && x.bodyRateChecked() && !x.timeouts.armed(ExchangeTimeouts.Deadline.BODY_RATE)) {
            x.timeouts.set(ExchangeTimeouts.Deadline.BODY_RATE, System.nanoTime() + conn.listener.bodyRateWindow().toNanos());
        }
        conn.clientReads(true);
    }
}
