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
}
