package io.switchboard.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * Reads the session ID out of a passthrough session's first server bytes (its ServerHello) without
 * taking them, and records it in {@link TlsSessionIds} when the server chose TLS 1.2 or older.
 *
 * <p>The ServerHello is the first handshake message of the server's first handshake records. A
 * record may carry several handshake messages (ServerHello, Certificate, ... in one), and one message
 * may span several records (a server that writes small records, or a ServerHello with large
 * extensions); so the watch reassembles the handshake stream from consecutive handshake records,
 * copying only the ServerHello's own bytes: its 4-byte header, then as many bytes as that header
 * says. The length is checked before anything is held: a message longer than the largest possible
 * ServerHello ({@link #MAX_HELLO}), a record over 16 KiB, an empty record, anything but a handshake
 * record, or a first message that is not a ServerHello ends the watch, learning nothing. So at most
 * {@code 4 + MAX_HELLO} bytes are held, and every record moves the watch forward by at least one byte.
 *
 * <p>Threading: the session's event loop.
 */
final class ServerHelloWatch {
    /**
     * The largest ServerHello body the structure allows: version, random, a 32-byte session ID, cipher
     * suite, compression method and a full 16-bit extensions block.
     */
    static final int MAX_HELLO = 2 + 32 + 1 + 32 + 2 + 1 + 2 + 0xFFFF;
    private static final byte[] NONE = new byte[0];

    private final TlsSessionIds ids;
    private final byte[] header = new byte[5];
    private int headerLen;
    /** Bytes of the current record's body not yet read. */
    private int bodyLeft;
    /** The ServerHello handshake message as far as it has arrived: 4 header bytes, then its body. */
    private byte[] hello = new byte[4];
    private int helloLen;
    /** The message's full length, once its header is in; -1 before. */
    private int helloNeed = -1;

    ServerHelloWatch(TlsSessionIds ids) {
        this.ids = ids;
    }

    /** The server sent {@code b} (not consumed); @return true when the watch is over. */
    boolean seen(ByteBuf b, String pool, String server) {
        byte[] id = feed(b);
        if (id == null) return false;
        ids.learn(pool, id, server, System.nanoTime());
        hello = null;
        return true;
    }

    /**
     * Reads {@code b}'s readable bytes (without consuming them); @return the session ID when the
     * ServerHello is complete, an empty array when there is none to learn, null when more bytes are needed.
     */
    byte[] feed(ByteBuf b) {
        int i = b.readerIndex();
        int end = b.writerIndex();
        while (i < end) {
            if (bodyLeft == 0) {
                int n = Math.min(5 - headerLen, end - i);
                b.getBytes(i, header, headerLen, n);
                headerLen += n;
                i += n;
                if (headerLen < 5) return null;
                headerLen = 0;
                int rlen = u16(header, 3);
                if (header[0] != 22 || header[1] != 3 || rlen < 1 || rlen > ClientHello.MAX_RECORD) return NONE;
                bodyLeft = rlen;
                continue;
            }
            int need = (helloNeed < 0 ? 4 : helloNeed) - helloLen;
            int n = Math.min(need, Math.min(bodyLeft, end - i));
            b.getBytes(i, hello, helloLen, n);
            helloLen += n;
            bodyLeft -= n;
            i += n;
            if (helloNeed < 0 && helloLen == 4) {
                if (hello[0] != 2) return NONE;
                int len = (hello[1] & 0xff) << 16 | u16(hello, 2);
                if (len > MAX_HELLO) return NONE;
                helloNeed = 4 + len;
                hello = Arrays.copyOf(hello, helloNeed);
            }
            if (helloLen == helloNeed) return sessionId(hello, helloNeed);
        }
        return null;
    }

    /**
     * The session ID of a TLS 1.2 (or older) ServerHello at the start of {@code b} (records as the
     * server sent them); an empty array when there is none to learn (not a ServerHello, TLS 1.3,
     * malformed); null when more bytes are needed.
     */
    static byte[] tls12SessionId(byte[] b, int len) {
        return new ServerHelloWatch(null).feed(Unpooled.wrappedBuffer(b, 0, len));
    }

    /** The session ID of the complete ServerHello message {@code m} (header included, {@code end} bytes); empty: none to learn. */
    private static byte[] sessionId(byte[] m, int end) {
        int p = 4 + 2 + 32;
        if (p + 1 > end) return NONE;
        int sidLen = m[p] & 0xff;
        p++;
        if (sidLen > 32 || p + sidLen + 3 > end) return NONE;
        byte[] sid = Arrays.copyOfRange(m, p, p + sidLen);
        p += sidLen + 3; // cipher suite, compression method
        if (p + 2 <= end) {
            int extEnd = p + 2 + u16(m, p);
            if (extEnd != end) return NONE;
            p += 2;
            while (p + 4 <= extEnd) {
                int type = u16(m, p);
                int elen = u16(m, p + 2);
                p += 4;
                if (p + elen > extEnd) return NONE;
                if (type == 43) return NONE; // supported_versions in a ServerHello: TLS 1.3 chosen
                p += elen;
            }
        } else if (p != end) {
            return NONE;
        }
        return sid;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
    }
}
