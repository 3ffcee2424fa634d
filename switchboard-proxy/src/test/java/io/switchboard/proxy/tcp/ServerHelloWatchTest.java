package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The ServerHello as servers really write it: split over several handshake records, sharing a record
 * with the messages after it, arriving in TCP pieces of any size; and what ends the watch early.
 */
class ServerHelloWatchTest {
    private static final byte[] SID = sid();

    private static byte[] sid() {
        byte[] s = new byte[32];
        for (int i = 0; i < s.length; i++) s[i] = (byte) (i + 1);
        return s;
    }

    /** A ServerHello handshake message (4-byte header and body), TLS 1.2 unless {@code tls13}, with {@code padding} extension bytes. */
    private static byte[] hello(boolean tls13, int padding) {
        ByteBuffer body = ByteBuffer.allocate(200 + padding);
        body.putShort((short) 0x0303).put(new byte[32]).put((byte) SID.length).put(SID).putShort((short) 0xc02f).put((byte) 0);
        int ext = (tls13 ? 6 : 0) + (padding > 0 ? 4 + padding : 0);
        body.putShort((short) ext);
        if (tls13) body.putShort((short) 43).putShort((short) 2).putShort((short) 0x0304);
        if (padding > 0) body.putShort((short) 21).putShort((short) padding).put(new byte[padding]);
        int n = body.position();
        ByteBuffer m = ByteBuffer.allocate(4 + n);
        m.put((byte) 2).put((byte) 0).putShort((short) n).put(body.array(), 0, n);
        return m.array();
    }

    /** Another handshake message (a Certificate's shape) that may follow the ServerHello. */
    private static byte[] certificate() {
        return new byte[] {11, 0, 0, 6, 0, 0, 3, 1, 2, 3};
    }

    /** The handshake bytes {@code stream} cut into handshake records of these body sizes (the last takes the rest). */
    private static byte[] records(byte[] stream, int... sizes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int p = 0;
        for (int i = 0; p < stream.length; i++) {
            int n = i < sizes.length ? Math.min(sizes[i], stream.length - p) : stream.length - p;
            out.write(22);
            out.write(3);
            out.write(3);
            out.write(n >> 8);
            out.write(n);
            out.write(stream, p, n);
            p += n;
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** Feeds {@code bytes} to a new watch in TCP pieces of {@code piece} bytes; @return its answer after the last piece. */
    private static byte[] inPieces(byte[] bytes, int piece) {
        ServerHelloWatch w = new ServerHelloWatch(null);
        byte[] r = null;
        for (int p = 0; p < bytes.length; p += piece) {
            ByteBuf b = Unpooled.wrappedBuffer(bytes, p, Math.min(piece, bytes.length - p));
            r = w.feed(b);
            assertThat(b.readerIndex()).as("the watch does not consume").isZero();
            if (r != null) return r;
        }
        return r;
    }

    @Test
    void aServerHelloSplitOverTwoRecordsIsLearned() {
        byte[] bytes = records(hello(false, 0), 10);
        assertThat(ServerHelloWatch.tls12SessionId(bytes, bytes.length)).containsExactly(SID);
        assertThat(ServerHelloWatch.tls12SessionId(bytes, bytes.length - 1)).isNull();
    }

    @Test
    void aServerHelloInOneByteRecordsIsLearned() {
        byte[] h = hello(false, 0);
        int[] ones = new int[h.length];
        Arrays.fill(ones, 1);
        byte[] bytes = records(h, ones);
        assertThat(ServerHelloWatch.tls12SessionId(bytes, bytes.length)).containsExactly(SID);
    }

    @Test
    void aServerHelloLargerThanOneRecordIsLearned() {
        byte[] h = hello(false, 20_000);
        byte[] bytes = records(h, 16_384);
        assertThat(ServerHelloWatch.tls12SessionId(bytes, bytes.length)).containsExactly(SID);
    }

    @Test
    void severalMessagesInOneRecordAndTheHelloSplitOverTheNext() {
        // ServerHello cut after its session ID's first bytes; its rest and a Certificate share the second record
        byte[] bytes = records(concat(hello(false, 0), certificate()), 50);
        assertThat(ServerHelloWatch.tls12SessionId(bytes, bytes.length)).containsExactly(SID);
        byte[] one = records(concat(hello(false, 0), certificate(), certificate()));
        assertThat(ServerHelloWatch.tls12SessionId(one, one.length)).containsExactly(SID);
    }

    @Test
    void anyTcpPieceSizeGivesTheSameAnswer() {
        byte[] bytes = concat(records(hello(false, 0), 7, 3, 40), records(certificate()));
        for (int piece = 1; piece <= bytes.length; piece++) {
            assertThat(inPieces(bytes, piece)).as("pieces of %d", piece).containsExactly(SID);
        }
        byte[] tls13 = records(hello(true, 0), 7, 3, 40);
        for (int piece = 1; piece <= tls13.length; piece++) {
            assertThat(inPieces(tls13, piece)).as("pieces of %d", piece).isEmpty();
        }
    }

    @Test
    void aTls13HelloSplitOverRecordsIsNotLearned() {
        byte[] bytes = records(hello(true, 0), 20);
        assertThat(ServerHelloWatch.tls12SessionId(bytes, bytes.length)).isEmpty();
    }

    @Test
    void anAbsurdLengthEndsTheWatchAtOnce() {
        // a handshake header claiming 16 MiB: refused from its 4 bytes, nothing more is waited for
        byte[] bytes = records(new byte[] {2, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertThat(ServerHelloWatch.tls12SessionId(bytes, bytes.length)).isEmpty();
        byte[] justOver = records(new byte[] {2, 1, 0, 0x4c});
        assertThat(ServerHelloWatch.MAX_HELLO).isLessThan(0x1004c);
        assertThat(ServerHelloWatch.tls12SessionId(justOver, justOver.length)).isEmpty();
    }

    @Test
    void whatIsNotAHandshakeStreamEndsTheWatch() {
        byte[] h = hello(false, 0);
        byte[] first = records(Arrays.copyOf(h, 10));
        // application data where the ServerHello's second record belongs
        byte[] alert = concat(first, new byte[] {21, 3, 3, 0, 2, 2, 40});
        assertThat(ServerHelloWatch.tls12SessionId(alert, alert.length)).isEmpty();
        // an empty handshake record
        byte[] empty = concat(first, new byte[] {22, 3, 3, 0, 0});
        assertThat(ServerHelloWatch.tls12SessionId(empty, empty.length)).isEmpty();
        // a record over 16 KiB
        byte[] big = concat(first, new byte[] {22, 3, 3, 0x40, 1});
        assertThat(ServerHelloWatch.tls12SessionId(big, big.length)).isEmpty();
        // a first message that is not a ServerHello
        byte[] cert = records(certificate());
        assertThat(ServerHelloWatch.tls12SessionId(cert, cert.length)).isEmpty();
    }

    @Test
    void theLearnedIdReachesTheTable() {
        TlsSessionIds ids = new TlsSessionIds();
        ServerHelloWatch w = new ServerHelloWatch(ids);
        byte[] bytes = records(hello(false, 0), 5, 5);
        assertThat(w.seen(Unpooled.wrappedBuffer(bytes, 0, 12), "p", "a")).isFalse();
        assertThat(w.seen(Unpooled.wrappedBuffer(bytes, 12, bytes.length - 12), "p", "a")).isTrue();
        assertThat(ids.server("p", SID, System.nanoTime())).isEqualTo("a");
    }
}
