package io.switchboard.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.config.HeaderEdit;
import io.switchboard.config.RouteAction;
import io.switchboard.route.Router;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a listener's routes to one exchange: a forward sets the service class, the affinity key and
 * the head edits and names the pool; a redirect, an answer or a refused path is answered here.
 *
 * <p>Threading: the exchange's event loop; the log throttle is shared by all loops (atomics).
 */
final class ExchangeRouting {
    private static final Logger log = LoggerFactory.getLogger(ExchangeRouting.class);
    /** Refused paths are logged at most once per this many nanoseconds, with a count of the rest. */
    private static final long REFUSED_LOG_INTERVAL = 10_000_000_000L;
    private static final AtomicLong refusedLogged = new AtomicLong(System.nanoTime() - REFUSED_LOG_INTERVAL);
    private static final AtomicLong refusedUnlogged = new AtomicLong();

    private ExchangeRouting() {}

    /** @return the pool to dispatch to; null when the request was answered here */
    static String route(HttpExchange x, Router router) {
        Router.Decision d = router.route(x);
        ExchangeEnd end = x.end;
        switch (d.action()) {
            case RouteAction.Forward f -> {
                x.serviceClass = f.serviceClass();
                x.cost = f.cost();
                if (!router.isEmpty()) x.affinityPath = d.affinityKey(f.key());
                if (f.editsHeads()) {
                    if (!f.requestEdits().isEmpty()) for (HeaderEdit e : f.requestEdits()) x.requestEdits().apply(e);
                    if (!f.responseEdits().isEmpty()) for (HeaderEdit e : f.responseEdits()) x.responseEdits().apply(e);
                    String t = d.rewrittenTarget(f);
                    if (t != null) x.requestEdits().target(t);
                }
                return f.pool();
            }
            case RouteAction.Redirect r -> {
                end.cause("route " + d.rule() + ": redirect");
                end.answer(r.status(), "", d.location(r));
                return null;
            }
            case RouteAction.Respond r -> {
                end.cause("route " + d.rule() + ": " + (r.status() == 403 ? "deny" : "respond " + r.status()));
                end.answer(r.status(), r.body(), null, r.retryAfterSeconds());
                return null;
            }
            case RouteAction.Refused r -> {
                end.cause("path refused: " + r.reason());
                logRefused(x, r.reason());
                end.respondError(HttpResponseStatus.BAD_REQUEST, "path refused (" + r.reason() + ")", false);
                return null;
            }
        }
    }

    /** At most one line per interval: a flood of refused paths must not become a flood of log lines. */
    private static void logRefused(HttpExchange x, String reason) {
        long now = System.nanoTime();
        long last = refusedLogged.get();
        if (now - last >= REFUSED_LOG_INTERVAL && refusedLogged.compareAndSet(last, now)) {
            long more = refusedUnlogged.getAndSet(0);
            log.warn("listener {}: answered 400 to {} for {}: {}{}", x.conn.listener.name(), x.conn.clientIp, x.target(), reason,
                    more > 0 ? " (" + more + " more refused paths not logged)" : "");
        } else {
            refusedUnlogged.incrementAndGet();
        }
    }
}
