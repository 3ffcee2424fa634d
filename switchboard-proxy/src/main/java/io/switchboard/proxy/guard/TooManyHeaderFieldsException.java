package io.switchboard.proxy.guard;

import io.netty.handler.codec.TooLongFrameException;

/**
 * A request head with more header fields than the listener's {@code max-headers}: answered 431 like
 * a head that is too large in bytes (RFC 6585 section 5), because a frame too long is what it is.
 * Carries no stack trace (see {@link InvalidMessageException}).
 */
public final class TooManyHeaderFieldsException extends TooLongFrameException {
    public TooManyHeaderFieldsException(String reason) {
        super(reason);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
