package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * A piece of a message body as {@link Http1Decoder} emits it: payload bytes only (chunk framing
 * removed), whether it is the last piece, the raw trailer field lines of a chunked message, or why
 * the body could not be decoded. Holds its payload by reference count, as any Netty message.
 */
final class Body extends DefaultByteBufHolder {
    /** The end of a message without (more) payload; shared, never released. */
    static final Body EMPTY_LAST = new Body(Unpooled.EMPTY_BUFFER, true, null, null);

    final boolean last;
    /** Trailer field lines, each ending in CRLF, of the last piece of a chunked body; else null. */
    final byte[] trailer;
    /** Why the body is malformed; the connection is not read further. Null when fine. */
    final String failure;

    Body(ByteBuf data, boolean last, byte[] trailer, String failure) {
        super(data);
        this.last = last;
        this.trailer = trailer;
        this.failure = failure;
    }

    static Body failed(String why) {
        return new Body(Unpooled.EMPTY_BUFFER, true, null, why);
    }
}
