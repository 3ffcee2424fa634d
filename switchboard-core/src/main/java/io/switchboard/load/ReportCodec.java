package io.switchboard.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The wire form of a pushed load report: one UDP datagram, authenticated with HMAC-SHA256 under a
 * key the agent and the balancers share.
 *
 * <pre>
 *  0  4  magic "SBLR"
 *  4  1  version (1)
 *  5  1  reserved, 0
 *  6  2  length of the whole datagram, MAC included
 *  8  8  sequence: strictly increasing per agent (it starts from the agent's clock in microseconds,
 *        so it keeps increasing across agent restarts)
 * 16  8  the agent's wall clock when sent, epoch milliseconds
 * 24  1  n, the length of the server's name (1..255), then n bytes of UTF-8
 *     8  cpu busy (IEEE double, 0..1, NaN unknown)      8  load1 (double, NaN unknown)
 *     4  cpus        4  runnable      8  memory available    4  tcp connections
 *     4  busy workers   4  idle workers   4  weight percent  4  maxconn   (int -1 / long -1: unknown)
 *     1  agent state ({@link AgentState} ordinal)
 * end 32 HMAC-SHA256 of every byte before it
 * </pre>
 *
 * <p>Big-endian. Anything else is refused with a {@link Refusal} naming why; the MAC is checked
 * before any field is believed. Replay is the receiver's to judge ({@link ReplayGuard}).
 *
 * <p>Threading: an instance holds one {@link Mac}; use one per thread.
 */
public final class ReportCodec {
    public static final int VERSION = 1;
    /** The largest datagram this codec makes or accepts. */
    public static final int MAX_SIZE = 512;
    public static final int MAC_SIZE = 32;
    /** The shortest key accepted: 128 bits. */
    public static final int MIN_KEY_BYTES = 16;
    private static final byte[] MAGIC = {'S', 'B', 'L', 'R'};
    private static final int FIXED = 4 + 1 + 1 + 2 + 8 + 8 + 1;
    private static final int FIELDS = 8 + 8 + 4 + 4 + 8 + 4 + 4 + 4 + 4 + 4 + 1;
    private static final AgentState[] STATES = AgentState.values();

    /** Why a datagram was refused; the receiver counts each. */
    public enum Reason { TRUNCATED, OVERSIZED, MALFORMED, BAD_MAC, REPLAYED, STALE, UNKNOWN_SERVER }

    /** A refused datagram. */
    public static final class Refusal extends Exception {
        private final Reason reason;

        public Refusal(Reason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public Reason reason() { return reason; }
    }

    /** One decoded, authenticated datagram. */
    public record Datagram(String server, long sequence, long sentMillis, LoadReport report) {}

    private final Mac mac;

    /** @throws IllegalArgumentException when the key is shorter than {@link #MIN_KEY_BYTES} */
    public ReportCodec(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the shared key has " + key.length + " bytes; at least "
                    + MIN_KEY_BYTES + " are needed (e.g. 32 random bytes, base64)");
        }
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    /** The datagram for one report ({@code r.receivedNanos()} is not sent). */
    public byte[] encode(String server, long sequence, long sentMillis, LoadReport r) {
        byte[] name = server.getBytes(StandardCharsets.UTF_8);
        if (name.length < 1 || name.length > 255) {
            throw new IllegalArgumentException("server name must be 1-255 bytes of UTF-8, got " + name.length);
        }
        int size = FIXED + name.length + FIELDS + MAC_SIZE;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(MAGIC).put((byte) VERSION).put((byte) 0).putShort((short) size)
                .putLong(sequence).putLong(sentMillis).put((byte) name.length).put(name)
                .putDouble(r.cpuBusy()).putDouble(r.load1()).putInt(r.cpus()).putInt(r.runnable())
                .putLong(r.memAvailable()).putInt(r.tcpConnections()).putInt(r.busyWorkers())
                .putInt(r.idleWorkers()).putInt(r.weightPercent()).putInt(r.maxConn())
                .put((byte) r.state().ordinal());
        mac.update(b.array(), 0, b.position());
        b.put(mac.doFinal());
        return b.array();
    }

    /**
     * Checks and decodes one datagram.
     *
     * @throws Refusal when it is too short, too long, not ours, not authentic or not well formed
     */
    public Datagram decode(byte[] buf, int off, int len, long receivedNanos) throws Refusal {
        if (len > MAX_SIZE) throw new Refusal(Reason.OVERSIZED, len + " bytes, more than " + MAX_SIZE);
        if (len < FIXED + 1 + FIELDS + MAC_SIZE) throw new Refusal(Reason.TRUNCATED, "only " + len + " bytes");
        ByteBuffer b = ByteBuffer.wrap(buf, off, len).slice();
        for (byte m : MAGIC) {
            if (b.get() != m) throw new Refusal(Reason.MALFORMED, "not a Switchboard load report (bad magic)");
        }
        int version = b.get() & 0xff;
        if (version != VERSION) throw new Refusal(Reason.MALFORMED, "version " + version + ", expected " + VERSION);
        b.get();
        int size = b.getShort() & 0xffff;
        if (size != len) {
            throw new Refusal(size > len ? Reason.TRUNCATED : Reason.MALFORMED,
                    "the header says " + size + " bytes, the datagram has " + len);
        }
        mac.update(buf, off, len - MAC_SIZE);
        byte[] expected = mac.doFinal();
        byte[] got = new byte[MAC_SIZE];
        System.arraycopy(buf, off + len - MAC_SIZE, got, 0, MAC_SIZE);
        if (!MessageDigest.isEqual(expected, got)) throw new Refusal(Reason.BAD_MAC, "the HMAC does not match");
        long sequence = b.getLong();
        long sent = b.getLong();
        int n = b.get() & 0xff;
        if (n == 0 || FIXED + n + FIELDS + MAC_SIZE != len) {
            throw new Refusal(Reason.MALFORMED, "server name of " + n + " bytes does not fit the datagram");
        }
        byte[] name = new byte[n];
        b.get(name);
        try {
            double cpu = b.getDouble();
            double load1 = b.getDouble();
            int cpus = b.getInt();
            int runnable = b.getInt();
            long mem = b.getLong();
            int tcp = b.getInt();
            int busy = b.getInt();
            int idle = b.getInt();
            int weight = b.getInt();
            int maxConn = b.getInt();
            int state = b.get() & 0xff;
            if (state >= STATES.length) throw new Refusal(Reason.MALFORMED, "agent state " + state + " is not one");
            LoadReport r = new LoadReport(receivedNanos, sequence, cpu, load1, cpus, runnable, mem, tcp, busy, idle,
                    weight, maxConn, STATES[state]);
            return new Datagram(new String(name, StandardCharsets.UTF_8), sequence, sent, r);
        } catch (IllegalArgumentException e) {
            throw new Refusal(Reason.MALFORMED, e.getMessage());
        }
    }
}
