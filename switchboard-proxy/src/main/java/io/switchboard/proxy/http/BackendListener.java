package io.switchboard.proxy.http;

/**
 * What a back-end connection tells the exchange that owns it, in its own terms: a message of the
 * response, the end of a read, room to write again, the end of the connection. The {@link
 * BackendHandler} relays only to its current owner; an exchange never sees another exchange's
 * connection.
 *
 * <p>Threading: the back-end channel's event loop, which is also the owner's.
 */
interface BackendListener {
    /** A response head or body piece; ownership of {@code msg} passes to the listener. */
    void onBackendMessage(Object msg);

    /** The read that carried the last messages is over: flush what was relayed. */
    void onBackendReadComplete();

    /** The back end's socket can take more of the request body. */
    void onBackendWritable();

    /** The connection closed ({@code cause} null) or failed; the handler has already detached it. */
    void onBackendClosed(Throwable cause);
}
