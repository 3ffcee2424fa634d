package io.switchboard.balance;

/**
 * The little of a request that an affinity key reads: HTTP requests, HTTP/2 streams and TCP sessions
 * (which have no target) all offer it, and the simulator makes its own.
 */
public interface RequestView {
    /** The client's address as text, e.g. {@code 192.0.2.7}. */
    String clientAddress();

    /** The request target as forwarded (origin-form path and query); empty when there is none (TCP). */
    String target();

    /**
     * What {@link AffinityKey#PATH} keys on: the LARD paper's "target". By default the path as
     * received, the query left out. The proxy returns the path normalised as routes match it, so
     * that {@code /a/../b}, {@code //b} and {@code /%62} are one target with {@code /b}; or the
     * value of the key a request's route chose (a header, a cookie, a query parameter).
     */
    default String affinityPath() {
        String t = target();
        int q = t.indexOf('?');
        return q < 0 ? t : t.substring(0, q);
    }
}
