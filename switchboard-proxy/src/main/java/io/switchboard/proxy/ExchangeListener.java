package io.switchboard.proxy;

import io.switchboard.backend.Backend;
import io.switchboard.registry.Pool;

/**
 * Told about every finished exchange (metrics, dashboards). Called on the event loop that served
 * it, after the response: must be quick and must never block or throw.
 */
@FunctionalInterface
public interface ExchangeListener {
    /**
     * @param pool the pool the request was routed to, or null when none was (e.g. a malformed request)
     * @param backend the last back end tried, or null when the proxy answered without one
     */
    void onExchange(AccessRecord record, Pool pool, Backend backend);
}
