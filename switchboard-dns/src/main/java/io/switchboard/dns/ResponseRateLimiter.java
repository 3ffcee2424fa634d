package io.switchboard.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.function.LongSupplier;

/**
 * Response rate limiting against reflection and amplification, as BIND and NSD do it: a token
 * bucket of responses per second for each (client network, answer) pair, the network being the
 * client's /24 (IPv4) or /56 (IPv6), the answer the name and type (or, for NXDOMAIN, the zone, so
 * random subdomains share one bucket). Over the limit the response is dropped, except every
 * {@code slip}-th one, which goes out truncated (TC=1, no records): a real client behind a spoofed
 * neighbour retries over TCP, which cannot be spoofed. Only UDP answers are limited.
 * <p>Memory is a fixed table of hashed slots; a slot whose key differs is taken over (the old pair
 * starts again with a full bucket), as in NSD's rrl.c: bounded memory at the cost of an occasional
 * reset under collisions. Thread-safe: slots are guarded by striped locks.
 */
public final class ResponseRateLimiter {
    public enum Verdict { SEND, DROP, SLIP }

    private static final long NANOS = 1_000_000_000L;
    private static final int STRIPES = 64;

    private final long ratePerSecond;
    private final int slip;
    private final LongSupplier nanoClock;
    private final int mask;
    private final long[] keys;
    private final long[] tokens;
    private final long[] last;
    private final int[] dropped;
    private final boolean[] used;
    private final Object[] locks = new Object[STRIPES];

    /**
     * @param responsesPerSecond the sustained rate per pair; also the burst
     * @param slip every slip-th limited response is sent truncated; 0 never, 1 always
     * @param slots table size, rounded up to a power of two
     * @param nanoClock monotonic nanoseconds (System::nanoTime, or a test clock)
     */
    public ResponseRateLimiter(int responsesPerSecond, int slip, int slots, LongSupplier nanoClock) {
        if (responsesPerSecond < 1) {
            throw new IllegalArgumentException("responses per second must be at least 1, got " + responsesPerSecond);
        }
        if (slip < 0) {
            throw new IllegalArgumentException("slip must be 0 (never) or more, got " + slip);
        }
        if (slots < 1 || slots > (1 << 24)) {
            throw new IllegalArgumentException("slots must be in 1.." + (1 << 24) + ", got " + slots);
        }
        int cap = Integer.highestOneBit(Math.max(STRIPES, slots - 1) << 1);
        this.ratePerSecond = responsesPerSecond;
        this.slip = slip;
        this.nanoClock = nanoClock;
        this.mask = cap - 1;
        this.keys = new long[cap];
        this.tokens = new long[cap];
        this.last = new long[cap];
        this.dropped = new int[cap];
        this.used = new boolean[cap];
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /** The client's network as a key: /24 for IPv4, /56 for IPv6. */
    public static long networkKey(InetAddress client) {
        if (client instanceof Inet4Address) {
            // Inet4Address.hashCode() is the address itself and, unlike getAddress(), allocates nothing.
            return networkKeyV4(client.hashCode());
        }
        byte[] a = client.getAddress();
        long k = 0;
        for (int i = 0; i < 7; i++) {
            k = (k << 8) | (a[i] & 0xFF);
        }
        return k | (1L << 62);
    }

    public static long networkKeyV4(int address) {
        return (address >>> 8) & 0xFFFFFFL;
    }

    /** Decides about one response of {@code answerKey} to the network {@code networkKey}. */
    public Verdict check(long networkKey, long answerKey) {
        long key = mix(networkKey * 0x9E3779B97F4A7C15L + answerKey);
        int slot = (int) key & mask;
        long now = nanoClock.getAsLong();
        long capacity = ratePerSecond * NANOS;
        synchronized (locks[slot & (STRIPES - 1)]) {
            if (!used[slot] || keys[slot] != key) {
                used[slot] = true;
                keys[slot] = key;
                tokens[slot] = capacity;
                last[slot] = now;
                dropped[slot] = 0;
            }
            // Each token is NANOS units; elapsed nanoseconds times the rate refills exactly `rate` tokens a second.
            long elapsed = Math.min(Math.max(0, now - last[slot]), NANOS);
            last[slot] = now;
            tokens[slot] = Math.min(capacity, tokens[slot] + elapsed * ratePerSecond);
            if (tokens[slot] >= NANOS) {
                tokens[slot] -= NANOS;
                return Verdict.SEND;
            }
            int d = ++dropped[slot];
            return slip > 0 && d % slip == 0 ? Verdict.SLIP : Verdict.DROP;
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
