package io.switchboard.cluster.replicate;

import io.switchboard.config.AdminState;
import io.switchboard.config.ServerConfig;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import io.switchboard.persist.StickTable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire format of shared state between the members of a cluster: compact, versioned, bounded.
 *
 * <pre>
 * message := version:u8 (=1)  count:u16 (1..MAX_UPDATES)  update{count}       at most MAX_MESSAGE_BYTES
 * update  := type:u8 fields
 *   1 stick   pool key server
 *   2 forget  pool key
 *   3 admin   pool server state:u8 (0 ready, 1 drain, 2 maint) cause
 *   4 weight  pool server weight:i32 (0..MAX_WEIGHT)
 *   5 load    pool server ageNanos:i64 (>= 0) sequence:i64 cpuBusy:f64 load1:f64 cpus:i32 runnable:i32
 *             memAvailable:i64 tcpConnections:i32 busyWorkers:i32 idleWorkers:i32 weightPercent:i32
 *             maxConn:i32 agentState:u8 (0 none, 1 up, 2 ready, 3 down, 4 drain, 5 maint)
 *   6 probe   pool server ok:u8 (0 or 1) detail
 * strings are DataOutput's modified UTF-8 (u16 length first); names (pool, server) at most
 * MAX_NAME_BYTES, keys at most MAX_KEY_BYTES, causes and details at most MAX_TEXT_BYTES (cut on
 * writing).
 * </pre>
 *
 * A reader refuses the whole message (a {@link MalformedUpdateException}) when anything is off: an
 * unknown version or type, a count or string out of bounds, a value out of range, bytes missing or
 * left over. A new field or type means a new version; a member drops messages of a version it does
 * not know (counted), so mixed versions degrade to not sharing, never to misreading.
 *
 * <p>Stateless; thread-safe.
 */
public final class ReplicationCodec {
    public static final int VERSION = 1;
    public static final int MAX_MESSAGE_BYTES = 60 * 1024;
    public static final int MAX_UPDATES = 4096;
    public static final int MAX_NAME_BYTES = 255;
    /** A stored stick key is at most {@link StickTable#MAX_KEY_CHARS} characters, up to 3 bytes each. */
    public static final int MAX_KEY_BYTES = StickTable.MAX_KEY_CHARS * 3;
    public static final int MAX_TEXT_BYTES = 256;

    static final int STICK = 1;
    static final int FORGET = 2;
    static final int ADMIN = 3;
    static final int WEIGHT = 4;
    static final int LOAD = 5;
    static final int PROBE = 6;

    /** A message that is not one this codec writes; the text says what was wrong. */
    public static final class MalformedUpdateException extends Exception {
        MalformedUpdateException(String message) {
            super(message);
        }
    }

    /**
     * The messages that carry the updates, in order, none larger than {@link #MAX_MESSAGE_BYTES},
     * and how many updates could not be written (a name or key over its bound).
     */
    public record Encoded(List<byte[]> messages, int skipped) {
        public Encoded {
            messages = List.copyOf(messages);
        }
    }

    private ReplicationCodec() {}

    /** Writes the updates into as few messages as the bounds allow. */
    public static Encoded encode(List<? extends Update> updates) {
        List<byte[]> messages = new ArrayList<>();
        int skipped = 0;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int count = 0;
        for (Update u : updates) {
            byte[] one;
            try {
                one = encodeOne(u);
            } catch (IllegalArgumentException tooLong) {
                skipped++;
                continue;
            }
            if (count > 0 && (count == MAX_UPDATES || 3 + body.size() + one.length > MAX_MESSAGE_BYTES)) {
                messages.add(frame(count, body));
                body.reset();
                count = 0;
            }
            body.writeBytes(one);
            count++;
        }
        if (count > 0) messages.add(frame(count, body));
        return new Encoded(messages, skipped);
    }

    private static byte[] frame(int count, ByteArrayOutputStream body) {
        byte[] out = new byte[3 + body.size()];
        out[0] = (byte) VERSION;
        out[1] = (byte) (count >>> 8);
        out[2] = (byte) count;
        System.arraycopy(body.toByteArray(), 0, out, 3, body.size());
        return out;
    }

    /** One update's bytes. @throws IllegalArgumentException when a name or key is over its bound */
    private static byte[] encodeOne(Update u) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            switch (u) {
                case Update.Stick s -> {
                    out.writeByte(STICK);
                    name(out, s.pool());
                    string(out, s.key(), MAX_KEY_BYTES, false);
                    name(out, s.server());
                }
                case Update.Forget f -> {
                    out.writeByte(FORGET);
                    name(out, f.pool());
                    string(out, f.key(), MAX_KEY_BYTES, false);
                }
                case Update.Admin a -> {
                    out.writeByte(ADMIN);
                    name(out, a.pool());
                    name(out, a.server());
                    out.writeByte(a.state().ordinal());
                    string(out, a.cause(), MAX_TEXT_BYTES, true);
                }
                case Update.Weight w -> {
                    out.writeByte(WEIGHT);
                    name(out, w.pool());
                    name(out, w.server());
                    out.writeInt(w.weight());
                }
                case Update.Load l -> {
                    out.writeByte(LOAD);
                    name(out, l.pool());
                    name(out, l.server());
                    LoadReport r = l.report();
                    out.writeLong(Math.max(0, l.ageNanos()));
                    out.writeLong(r.sequence());
                    out.writeDouble(r.cpuBusy());
                    out.writeDouble(r.load1());
                    out.writeInt(r.cpus());
                    out.writeInt(r.runnable());
                    out.writeLong(r.memAvailable());
                    out.writeInt(r.tcpConnections());
                    out.writeInt(r.busyWorkers());
                    out.writeInt(r.idleWorkers());
                    out.writeInt(r.weightPercent());
                    out.writeInt(r.maxConn());
                    out.writeByte(r.state().ordinal());
                }
                case Update.Probe p -> {
                    out.writeByte(PROBE);
                    name(out, p.pool());
                    name(out, p.server());
                    out.writeByte(p.ok() ? 1 : 0);
                    string(out, p.detail(), MAX_TEXT_BYTES, true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    private static void name(DataOutputStream out, String s) throws IOException {
        string(out, s, MAX_NAME_BYTES, false);
    }

    private static void string(DataOutputStream out, String s, int max, boolean cut) throws IOException {
        if (utfLength(s) > max) {
            if (!cut) throw new IllegalArgumentException("longer than " + max + " bytes");
            s = cutTo(s, max);
        }
        out.writeUTF(s);
    }

    /** The length of DataOutput's modified UTF-8 of {@code s}. */
    private static int utfLength(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c >= 1 && c <= 0x7f ? 1 : c <= 0x7ff ? 2 : 3;
        }
        return n;
    }

    /** The longest prefix of {@code s} whose modified UTF-8 fits in {@code max} bytes, never half a surrogate pair. */
    private static String cutTo(String s, int max) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c >= 1 && c <= 0x7f ? 1 : c <= 0x7ff ? 2 : 3;
            if (n > max) {
                int end = i > 0 && Character.isHighSurrogate(s.charAt(i - 1)) ? i - 1 : i;
                return s.substring(0, end);
            }
        }
        return s;
    }

    /** Reads a message. @throws MalformedUpdateException when it is not one {@link #encode} writes */
    public static List<Update> decode(byte[] message) throws MalformedUpdateException {
        if (message == null || message.length < 3) {
            throw new MalformedUpdateException("message of " + (message == null ? 0 : message.length)
                    + " bytes is shorter than its 3-byte header");
        }
        if (message.length > MAX_MESSAGE_BYTES) {
            throw new MalformedUpdateException("message of " + message.length + " bytes is over the limit of "
                    + MAX_MESSAGE_BYTES);
        }
        int version = message[0] & 0xff;
        if (version != VERSION) {
            throw new MalformedUpdateException("message version " + version + " is not known here; this member reads version "
                    + VERSION);
        }
        int count = (message[1] & 0xff) << 8 | message[2] & 0xff;
        if (count < 1 || count > MAX_UPDATES) {
            throw new MalformedUpdateException("message claims " + count + " updates; allowed: 1-" + MAX_UPDATES);
        }
        List<Update> updates = new ArrayList<>(Math.min(count, 64));
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(message, 3, message.length - 3));
        try {
            for (int i = 0; i < count; i++) {
                updates.add(decodeOne(in, i));
            }
            if (in.available() > 0) {
                throw new MalformedUpdateException(in.available() + " bytes left over after " + count + " updates");
            }
        } catch (EOFException e) {
            throw new MalformedUpdateException("message ends inside update " + (updates.size() + 1) + " of " + count);
        } catch (IOException e) {
            throw new MalformedUpdateException("update " + (updates.size() + 1) + " of " + count + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new MalformedUpdateException("update " + (updates.size() + 1) + " of " + count + ": " + e.getMessage());
        }
        return updates;
    }

    private static Update decodeOne(DataInputStream in, int index) throws IOException, MalformedUpdateException {
        int type = in.readUnsignedByte();
        return switch (type) {
            case STICK -> new Update.Stick(readName(in), readString(in, MAX_KEY_BYTES, "key"), readName(in));
            case FORGET -> new Update.Forget(readName(in), readString(in, MAX_KEY_BYTES, "key"));
            case ADMIN -> {
                String pool = readName(in);
                String server = readName(in);
                AdminState state = code(AdminState.values(), in.readUnsignedByte(), "admin state");
                yield new Update.Admin(pool, server, state, readString(in, MAX_TEXT_BYTES, "cause"));
            }
            case WEIGHT -> {
                String pool = readName(in);
                String server = readName(in);
                int weight = in.readInt();
                if (weight < 0 || weight > ServerConfig.MAX_WEIGHT) {
                    throw new MalformedUpdateException("weight " + weight + " out of range 0-" + ServerConfig.MAX_WEIGHT);
                }
                yield new Update.Weight(pool, server, weight);
            }
            case LOAD -> {
                String pool = readName(in);
                String server = readName(in);
                long age = in.readLong();
                if (age < 0) throw new MalformedUpdateException("report age " + age + " ns is negative");
                long sequence = in.readLong();
                double cpuBusy = in.readDouble();
                double load1 = in.readDouble();
                int cpus = in.readInt();
                int runnable = in.readInt();
                long mem = in.readLong();
                int tcp = in.readInt();
                int busy = in.readInt();
                int idle = in.readInt();
                int weightPercent = in.readInt();
                int maxConn = in.readInt();
                AgentState state = code(AgentState.values(), in.readUnsignedByte(), "agent state");
                yield new Update.Load(pool, server, age, new LoadReport(0, sequence, cpuBusy, load1, cpus, runnable, mem,
                        tcp, busy, idle, weightPercent, maxConn, state));
            }
            case PROBE -> {
                String pool = readName(in);
                String server = readName(in);
                int ok = in.readUnsignedByte();
                if (ok > 1) throw new MalformedUpdateException("probe result " + ok + " is neither 0 nor 1");
                yield new Update.Probe(pool, server, ok == 1, readString(in, MAX_TEXT_BYTES, "detail"));
            }
            default -> throw new MalformedUpdateException("update " + (index + 1) + " has unknown type " + type
                    + "; known: 1-6");
        };
    }

    private static <E extends Enum<E>> E code(E[] values, int code, String what) throws MalformedUpdateException {
        if (code >= values.length) {
            throw new MalformedUpdateException(what + " code " + code + " is unknown; allowed: 0-" + (values.length - 1));
        }
        return values[code];
    }

    private static String readName(DataInputStream in) throws IOException, MalformedUpdateException {
        String s = readString(in, MAX_NAME_BYTES, "name");
        if (s.isEmpty()) throw new MalformedUpdateException("empty pool or server name");
        return s;
    }

    private static String readString(DataInputStream in, int max, String what) throws IOException, MalformedUpdateException {
        in.mark(2);
        int length = in.readUnsignedShort();
        if (length > max) throw new MalformedUpdateException(what + " of " + length + " bytes is over the limit of " + max);
        in.reset();
        return in.readUTF();
    }

    /** For log lines: the first bytes of a refused message. */
    static String preview(byte[] message) {
        if (message == null) return "";
        int n = Math.min(message.length, 16);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(String.format("%02x", message[i]));
        return n < message.length ? sb + "..." : sb.toString();
    }

}
