package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;

/**
 * Writes HTTP/1.1 body pieces in the framing the receiving side needs: as they came (length-framed
 * or close-delimited) or as chunks, ending a chunked body with the last chunk and any trailer. Heads
 * are written by {@link HeadWriter}. Writes are not flushed and use void promises: a failed write
 * surfaces as {@code exceptionCaught} on that channel, which its handler already turns into the
 * right outcome, with no promise object per message.
 *
 * <p>Threading: stateless.
 */
final class Http1Encoder {
    private static final ByteBuf CRLF = unreleasable("\r\n");
    private static final ByteBuf LAST_CHUNK = unreleasable("0\r\n\r\n");

    private Http1Encoder() {}

    private static ByteBuf unreleasable(String s) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(HeadWriter.ascii(s)).asReadOnly());
    }

    /** Writes {@code b} on {@code ch}, chunked or not; takes ownership of its payload. */
    static void writeBody(Channel ch, Body b, boolean chunked) {
        ByteBuf data = b.content();
        int n = data.readableBytes();
        if (!chunked) {
            if (n > 0) ch.write(data, ch.voidPromise()); else data.release();
            return;
        }
        if (n > 0) {
            ByteBuf size = ch.alloc().ioBuffer(10);
            size.writeCharSequence(Integer.toHexString(n), StandardCharsets.US_ASCII);
            size.writeShort(0x0d0a);
            ch.write(size, ch.voidPromise());
            ch.write(data, ch.voidPromise());
            ch.write(CRLF.duplicate(), ch.voidPromise());
        } else {
            data.release();
        }
        if (!b.last) return;
        if (b.trailer == null) {
            ch.write(LAST_CHUNK.duplicate(), ch.voidPromise());
        } else {
            ByteBuf end = ch.alloc().ioBuffer(b.trailer.length + 5);
            end.writeByte('0').writeShort(0x0d0a).writeBytes(b.trailer).writeShort(0x0d0a);
            ch.write(end, ch.voidPromise());
        }
    }
}
