package io.switchboard.proxy.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A raw HTTP/2 client for tests that must send what no real client would: frames built by hand (a 9-byte
 * header and a payload), header blocks as HPACK literals without Huffman coding, on a plain socket with
 * prior knowledge (h2c). Frames from the server are read by a reader thread into a queue (so that a
 * GOAWAY is seen even while the test is still writing a flood); HEADERS blocks are decoded with Netty's
 * HPACK decoder. Every read has a timeout and every loop a bound.
 *
 * <p>Threading: one test thread writes; the reader thread only reads (and acknowledges the server's
 * SETTINGS, under the same lock as the writer).
 */
final class RawH2 implements AutoCloseable {
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8, CONTINUATION = 9;
    static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
    static final int PROTOCOL_ERROR = 0x1, STREAM_CLOSED = 0x5, REFUSED_STREAM = 0x7, ENHANCE_YOUR_CALM = 0xb;
    /** The reader's mark for the end of the connection (EOF or reset). */
    static final int CLOSED = -1;
    private static final int MAX_PAYLOAD = 1 << 24;
    private static final Duration LIFETIME = Duration.ofSeconds(120);

    /** A frame from the server; {@code headers} for a HEADERS block (with its CONTINUATIONs). */
    record Frame(int type, int flags, int stream, byte[] payload, Http2Headers headers) {
        /** RST_STREAM's or GOAWAY's error code. */
        int errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xff) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8) | (payload[at + 3] & 0xff);
        }

        String status() {
            return headers == null || headers.status() == null ? null : headers.status().toString();
        }

        @Override
        public String toString() {
            return switch (type) {
                case CLOSED -> "CLOSED";
                case RST_STREAM -> "RST_STREAM(stream " + stream + ", error 0x" + Integer.toHexString(errorCode()) + ")";
                case GOAWAY -> "GOAWAY(error 0x" + Integer.toHexString(errorCode()) + ", " + new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8) + ")";
                case HEADERS -> "HEADERS(stream " + stream + ", " + headers + ")";
                default -> "frame(type " + type + ", flags " + flags + ", stream " + stream + ", " + payload.length + " bytes)";
            };
        }
    }

    /** How a bulk write ended. */
    enum Sent { COMPLETE, PEER_CLOSED, BLOCKED }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    /** Every frame taken from the queue, in order: for assertion messages. */
    final List<Frame> seen = new ArrayList<>();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 1L << 30);
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "raw-h2-writer");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;
    private final long born = System.nanoTime();

    private RawH2(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** Connects, sends the preface and an empty SETTINGS, acknowledges the server's SETTINGS, starts reading. */
    static RawH2 connect(int port) throws IOException {
        return connect(port, true, 0);
    }

    /**
     * @param reading     false: nothing is read after the server's SETTINGS (a client that never reads)
     * @param receiveBuffer the socket's receive buffer, 0 for the system's
     */
    static RawH2 connect(int port, boolean reading, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(250);
        s.setTcpNoDelay(true);
        RawH2 c = new RawH2(s);
        c.write(concat(PREFACE, frame(SETTINGS, 0, 0, new byte[0])));
        for (int i = 0; i < 20; i++) { // the server's SETTINGS comes first, maybe after a SETTINGS ACK
            Frame f = c.readFrame();
            if (f == null) throw new IOException("the server closed before its SETTINGS");
            if (f.type() == SETTINGS && (f.flags() & ACK) == 0) {
                c.write(frame(SETTINGS, ACK, 0, new byte[0]));
                break;
            }
        }
        if (reading) {
            Thread t = new Thread(c::readLoop, "raw-h2-reader");
            t.setDaemon(true);
            t.start();
        }
        return c;
    }

    // ---------------------------------------------------------------- building frames

    static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] b = new byte[9 + payload.length];
        b[0] = (byte) (payload.length >>> 16);
        b[1] = (byte) (payload.length >>> 8);
        b[2] = (byte) payload.length;
        b[3] = (byte) type;
        b[4] = (byte) flags;
        b[5] = (byte) (stream >>> 24);
        b[6] = (byte) (stream >>> 16);
        b[7] = (byte) (stream >>> 8);
        b[8] = (byte) stream;
        System.arraycopy(payload, 0, b, 9, payload.length);
        return b;
    }

    static byte[] rst(int stream, int error) {
        return frame(RST_STREAM, 0, stream, new byte[] {(byte) (error >>> 24), (byte) (error >>> 16), (byte) (error >>> 8), (byte) error});
    }

    static byte[] ping(long data) {
        byte[] p = new byte[8];
        for (int i = 0; i < 8; i++) p[i] = (byte) (data >>> (56 - 8 * i));
        return frame(PING, 0, 0, p);
    }

    static byte[] settings(int... idValuePairs) {
        byte[] p = new byte[idValuePairs.length / 2 * 6];
        for (int i = 0, at = 0; i < idValuePairs.length; i += 2) {
            p[at++] = (byte) (idValuePairs[i] >>> 8);
            p[at++] = (byte) idValuePairs[i];
            int v = idValuePairs[i + 1];
            p[at++] = (byte) (v >>> 24);
            p[at++] = (byte) (v >>> 16);
            p[at++] = (byte) (v >>> 8);
            p[at++] = (byte) v;
        }
        return frame(SETTINGS, 0, 0, p);
    }

    /** An HPACK block of literals without indexing (no Huffman) from name, value pairs. */
    static byte[] block(String... nameValues) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < nameValues.length; i += 2) b.writeBytes(literal(0x00, 4, nameValues[i], nameValues[i + 1]));
        return b.toByteArray();
    }

    /** The usual request pseudo-headers, then {@code more} name, value pairs. */
    static byte[] request(String method, String path, String... more) {
        String[] all = new String[8 + more.length];
        String[] pseudo = {":method", method, ":scheme", "http", ":path", path, ":authority", "localhost"};
        System.arraycopy(pseudo, 0, all, 0, 8);
        System.arraycopy(more, 0, all, 8, more.length);
        return block(all);
    }

    /** A literal field with a new name: {@code 0x00} (without indexing) or {@code 0x40} (incremental indexing). */
    static byte[] literal(int pattern, int prefixBits, String name, String value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        integer(b, pattern, prefixBits, 0);
        string(b, name.getBytes(StandardCharsets.ISO_8859_1));
        string(b, value.getBytes(StandardCharsets.ISO_8859_1));
        return b.toByteArray();
    }

    /** An indexed field (RFC 7541 section 6.1). */
    static byte[] indexed(int index) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        integer(b, 0x80, 7, index);
        return b.toByteArray();
    }

    private static void string(ByteArrayOutputStream b, byte[] s) {
        integer(b, 0x00, 7, s.length);
        b.writeBytes(s);
    }

    private static void integer(ByteArrayOutputStream b, int pattern, int prefixBits, int value) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            b.write(pattern | value);
            return;
        }
        b.write(pattern | max);
        value -= max;
        while (value >= 0x80) {
            b.write((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        b.write(value);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return b.toByteArray();
    }

    // ---------------------------------------------------------------- writing

    synchronized void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes {@code chunk} {@code times} times; stops at the server's close (or GOAWAY seen) or after {@code timeout}. */
    Sent writeRepeated(byte[] chunk, int times, Duration timeout) {
        Future<Integer> f = writer.submit(() -> {
            int i = 0;
            for (; i < times && !closed; i++) {
                try {
                    write(chunk);
                } catch (IOException e) {
                    return i;
                }
                if (goneAway()) return i;
            }
            return i;
        });
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS) == times ? Sent.COMPLETE : Sent.PEER_CLOSED;
        } catch (TimeoutException e) {
            return Sent.BLOCKED;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean goneAway() {
        for (Frame f : frames) if (f.type() == GOAWAY || f.type() == CLOSED) return true;
        return false;
    }

    // ---------------------------------------------------------------- reading

    /** The next frame from the server, a CLOSED frame at the end, null after {@code timeout}. */
    Frame next(Duration timeout) throws InterruptedException {
        Frame f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (f != null) seen.add(f);
        return f;
    }

    /** The first frame that {@code p} accepts (or CLOSED), skipping others; null if none within {@code timeout}. */
    Frame await(Predicate<Frame> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < 1_000_000; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            Frame f = next(Duration.ofNanos(left));
            if (f == null) return null;
            if (f.type() == CLOSED || p.test(f)) return f;
        }
        return null;
    }

    /** The answer on {@code stream}: its response HEADERS or its RST_STREAM, or GOAWAY / CLOSED. */
    Frame answer(int stream, Duration timeout) throws InterruptedException {
        return await(f -> f.stream() == stream && (f.type() == HEADERS || f.type() == RST_STREAM) || f.type() == GOAWAY, timeout);
    }

    /** Whether the server closed the connection within {@code timeout} (frames before it are skipped). */
    boolean awaitClosed(Duration timeout) throws InterruptedException {
        Frame f = await(x -> false, timeout);
        return f != null && f.type() == CLOSED;
    }

    /**
     * For a client that did not read: reads and drops everything until the server closes, at most {@code
     * maxBytes} or {@code timeout} without a byte.
     *
     * @return whether the server closed (EOF or reset)
     */
    boolean drainUntilClosed(long maxBytes, Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        byte[] buf = new byte[65536];
        long total = 0;
        while (total < maxBytes) {
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
            if (n < 0) return true;
            total += n;
        }
        return false;
    }

    private void readLoop() {
        try {
            while (!closed && System.nanoTime() - born < LIFETIME.toNanos()) {
                Frame f = readFrame();
                if (f == null) break;
                if (f.type() == SETTINGS && (f.flags() & ACK) == 0) write(frame(SETTINGS, ACK, 0, new byte[0]));
                frames.add(f);
            }
        } catch (IOException | RuntimeException e) {
            // a reset is a close too
        }
        frames.add(new Frame(CLOSED, 0, 0, new byte[0], null));
    }

    /** One frame (a HEADERS frame with its CONTINUATIONs), or null at EOF. */
    private Frame readFrame() throws IOException {
        byte[] h = new byte[9];
        if (!readFully(h)) return null;
        int length = ((h[0] & 0xff) << 16) | ((h[1] & 0xff) << 8) | (h[2] & 0xff);
        int type = h[3] & 0xff;
        int flags = h[4] & 0xff;
        int stream = ((h[5] & 0x7f) << 24) | ((h[6] & 0xff) << 16) | ((h[7] & 0xff) << 8) | (h[8] & 0xff);
        if (length > MAX_PAYLOAD) throw new IOException("frame of " + length + " bytes");
        byte[] payload = new byte[length];
        if (!readFully(payload)) return null;
        if (type != HEADERS) return new Frame(type, flags, stream, payload, null);
        int from = 0;
        int to = payload.length;
        if ((flags & PADDED) != 0) {
            to -= payload[0] & 0xff;
            from = 1;
        }
        if ((flags & PRIORITY) != 0) from += 5;
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(payload, from, to - from);
        for (int i = 0; i < 1000 && (flags & END_HEADERS) == 0; i++) {
            Frame c = readFrame();
            if (c == null) return null;
            block.writeBytes(c.payload());
            flags |= c.flags() & END_HEADERS;
        }
        ByteBuf b = Unpooled.wrappedBuffer(block.toByteArray());
        try {
            return new Frame(type, flags, stream, payload, decoder.decodeHeaders(stream, b));
        } catch (Http2Exception e) {
            throw new IOException("undecodable HEADERS from the server: " + e.getMessage(), e);
        } finally {
            b.release();
        }
    }

    private boolean readFully(byte[] b) throws IOException {
        int at = 0;
        while (at < b.length) {
            if (closed || System.nanoTime() - born > LIFETIME.toNanos()) return false;
            int n;
            try {
                n = in.read(b, at, b.length - at);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (n < 0) return false;
            at += n;
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        writer.shutdownNow();
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
