package io.switchboard.route;

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
}
