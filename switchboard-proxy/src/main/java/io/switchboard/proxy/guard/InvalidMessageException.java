package io.switchboard.proxy.guard;

import io.netty.handler.codec.DecoderException;

/**
 * Why a message that Netty's decoder accepted is refused anyway; its message is the precise reason,
 * which ends up in the access log's cause. Carries no stack trace: it is raised for every bad request
 * a client cares to send, and the reason says everything.
 */
public final class InvalidMessageException extends DecoderException {
    public InvalidMessageException(String reason) {
        super(reason);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
