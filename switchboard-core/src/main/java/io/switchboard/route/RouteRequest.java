package io.switchboard.route;

import io.switchboard.config.RouteConfig;

/**
 * What a route reads of a request. The proxy's exchange implements it over the parsed head; tests
 * and the simulator make their own. Values are as received (no decoding): the {@link Router}
 * normalises what it matches on.
 */
public interface RouteRequest {
    /** The request method, e.g. {@code GET}. */
    String method();

    /** The Host field as sent, or the authority of an absolute-form target; null when there is none. */
    String host();

    /** The origin-form target as received: path and query, e.g. {@code /a/b?x=1}. */
    String target();

    /** The first value of the field of this name (any case), trimmed; null when absent. */
    String header(String name);

    /** The value of the first cookie of this name; null when absent. */
    String cookie(String name);

    /** The client's address, 4 or 16 bytes (as {@code InetAddress.getAddress()}); null when unknown. */
    byte[] clientAddressBytes();

    /**
     * A counter of this request's key in the named pool's stick table (the key that pool's
     * persistence takes from the request), for {@code stick-counter} conditions. A read: nothing is
     * recorded and no entry is made. The value is the one this request would bring the counter to:
     * the table's value (0 for a key it does not hold) plus this request for {@code requests} and
     * {@code request-rate}, plus its connection for the connection counters when it is the first
     * request of its connection with this key; so {@code above: 100} lets 100 requests through
     * and matches the 101st, as HAProxy's {@code track-sc} then {@code sc_http_req_rate} does.
     * 0 when the pool has no table or the request has no key. Called only by routes that have such
     * a condition. The default (fakes without tables) is 0.
     */
    default long stickCounter(String pool, RouteConfig.Counter counter) {
        return 0;
    }
}
