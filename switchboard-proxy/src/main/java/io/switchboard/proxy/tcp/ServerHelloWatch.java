package io.switchboard.proxy.tcp;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Reads the session ID out of a passthrough session's first server bytes (its ServerHello) without
 * taking them, and records it in {@link TlsSessionIds} when the server chose TLS 1.2 or older. Looks
 * at the first record only (at most 16 KiB held); anything unexpected ends the watch, learning nothing.
 *
 * <p>Threading: the session's event loop.
 */
final class ServerHelloWatch {
    private final TlsSessionIds ids;
    private byte[] buf = new byte[512];
    private int len;

    ServerHelloWatch(TlsSessionIds ids) {
        this.ids = ids;
    }

    /** The server sent {@code b} (not consumed); @return true when the watch is over. */
    boolean seen(ByteBuf b, String pool, String server) {
        int n = Math.min(b.readableBytes(), ClientHello.MAX_RECORD + 5 - len);
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.min(ClientHello.MAX_RECORD + 5, Math.max(buf.length * 2, len + n)));
        b.getBytes(b.readerIndex(), buf, len, n);
        len += n;
        byte[] id = tls12SessionId(buf, len);
        if (id == null) {
            if (len < ClientHello.MAX_RECORD + 5) return false;
            id = new byte[0];
        }
        ids.learn(pool, id, server, System.nanoTime());
        buf = null;
        return true;
    }

    /**
     * The session ID of a TLS 1.2 (or older) ServerHello at the start of {@code b}; an empty array when
     * there is none to learn (not a ServerHello, TLS 1.3, malformed); null when more bytes are needed.
     */
    static byte[] tls12SessionId(byte[] b, int len) {
        byte[] none = new byte[0];
        if (len < 5) return null;
        if (b[0] != 22 || b[1] != 3) return none;
        int rlen = u16(b, 3);
        if (rlen < 4 || rlen > ClientHello.MAX_RECORD) return none;
        if (len < 5 + rlen) return null;
        int p = 5;
        int end = 5 + rlen;
        if (b[p] != 2) return none;
        int hsEnd = p + 4 + ((b[p + 1] & 0xff) << 16 | u16(b, p + 2));
        if (hsEnd > end) return none; // a ServerHello split over records: rare, not learned
        p += 4 + 2 + 32;
        if (p + 1 > hsEnd) return none;
        int sidLen = b[p] & 0xff;
        p++;
        if (sidLen > 32 || p + sidLen + 3 > hsEnd) return none;
        byte[] sid = Arrays.copyOfRange(b, p, p + sidLen);
        p += sidLen + 3; // cipher suite, compression method
        if (p + 2 <= hsEnd) {
            int extEnd = p + 2 + u16(b, p);
            if (extEnd != hsEnd) return none;
            p += 2;
            while (p + 4 <= extEnd) {
                int type = u16(b, p);
                int elen = u16(b, p + 2);
                p += 4;
                if (p + elen > extEnd) return none;
                if (type == 43) return none; // supported_versions in a ServerHello: TLS 1.3 chosen
                p += elen;
            }
        }
        return sid;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
    }
}
