package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, "Consistent Hashing with
 * Bounded Loads", SODA 2018; HAProxy's {@code hash-balance-factor}). Used as {@code source-hash} (key:
 * client address) and {@code uri-hash} (key: request path); the proxy puts the key's hash in
 * {@link PickContext#hash()}.
 *
 * <p>Each back end owns {@link #POINTS_PER_WEIGHT} x weight points on a 64-bit ring. A key goes to
 * the first back end clockwise from its hash whose in-flight count is below its capacity
 * {@code ceil(c * (poolInFlight + 1) * w_i / W)}. Since capacities sum to at least c times the load,
 * some back end always has room, and no back end ever exceeds c times its fair share. Removing one of
 * N back ends moves only the keys it owned (about 1/N).
 *
 * <p>A change rebuilds the ring from the previous one in one pass ({@link #carried}): a 10,000-server
 * pool's million points are not sorted again for one weight change or drain.
 *
 * <p>Threading: the writer builds the ring once per snapshot; the picker is immutable and reads the
 * live in-flight counters. The pool's load m is {@link Backend#poolInFlight()}, so the back ends
 * must share their pool's counter, as {@link io.switchboard.registry.Pool} arranges.
 */
public final class ConsistentHash implements Algorithm {
    public static final double DEFAULT_LOAD_FACTOR = 1.25;
    static final int POINTS_PER_WEIGHT = 64;
    static final int MAX_POINTS = 1 << 20;
    static final int OWNER_BITS = 20;
    static final long OWNER_MASK = (1L << OWNER_BITS) - 1;

    private final String name;
    private final AffinityKey key;
    private final double loadFactor;

    public ConsistentHash(String name, AffinityKey key, double loadFactor) {
        if (!(loadFactor >= 1.0)) throw new IllegalArgumentException("hash load factor must be >= 1.0, got " + loadFactor);
        if (key == AffinityKey.NONE) throw new IllegalArgumentException("a consistent hash needs a key to hash");
        this.name = name;
        this.key = key;
        this.loadFactor = loadFactor;
    }

    /** {@code source-hash} hashes the client address; any other name the path. */
    public ConsistentHash(String name, double loadFactor) {
        this(name, name.equals("source-hash") ? AffinityKey.CLIENT_ADDRESS : AffinityKey.PATH, loadFactor);
    }

    @Override
    public AffinityKey affinityKey() {
        return key;
    }

    @Override
    public String name() {
        return name;
    }

    public double loadFactor() {
        return loadFactor;
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        Backend[] bs = set.eligible();
        if (bs.length > OWNER_MASK + 1) {
            throw new IllegalArgumentException(name + ": at most " + (OWNER_MASK + 1) + " back ends per pool, got " + bs.length);
        }
        int[] ws = set.weights();
        int[] per = pointsPer(ws);
        long[] ring = previous instanceof P p ? carried(p, bs, per) : null;
        if (ring == null) ring = fullRing(bs, per);
        return new P(bs, ws, per, set.totalWeight(), ring, loadFactor);
    }

    /**
     * Ring points per back end: {@link #POINTS_PER_WEIGHT} x weight, or, when that would pass
     * {@link #MAX_POINTS}, the largest power-of-two fraction of it that does not. Halving in whole
     * steps (rather than scaling by MAX_POINTS / total) keeps every other back end's count when one
     * weight changes, so that the next ring is the previous one with a few back ends' points
     * replaced ({@link #carried}), not a new ring.
     */
    static int[] pointsPer(int[] ws) {
        long totalWeight = 0;
        for (int w : ws) totalWeight += Math.max(1, w);
        int ppw = POINTS_PER_WEIGHT;
        while (ppw > 1 && totalWeight * ppw > MAX_POINTS) ppw >>= 1;
        // beyond MAX_POINTS even at one point per weight: scale, at least one point each
        double scale = totalWeight * ppw > MAX_POINTS ? (double) MAX_POINTS / (totalWeight * ppw) : 1.0;
        int[] per = new int[ws.length];
        for (int i = 0; i < ws.length; i++) per[i] = Math.max(1, (int) (ws[i] * ppw * scale));
        return per;
    }

    /**
     * The ring from scratch. A ring point is the hash of (back end identity, j) with its low
     * OWNER_BITS replaced by the owner's index, so one primitive sort orders points and carries
     * owners along. Positions depend only on identity (up to those low bits), so they survive
     * membership changes; a key is affected by the owner bits only if it lands within 2^20 of a
     * point, p ~ 2^-44.
     */
    private static long[] fullRing(Backend[] bs, int[] per) {
        int count = 0;
        for (int c : per) count += c;
        long[] ring = new long[count];
        int k = 0;
        for (int i = 0; i < bs.length; i++) k = points(bs[i], i, per[i], ring, k);
        Arrays.sort(ring);
        return ring;
    }

    /** Writes back end i's points at ring[k...]; returns the next free position. */
    private static int points(Backend b, int i, int count, long[] ring, int k) {
        long base = KeyHash.of(b.pool() + "/" + b.name() + "@" + b.address());
        for (int j = 0; j < count; j++) {
            long h = KeyHash.mix(base + j * 0x9e3779b97f4a7c15L);
            // Flipping the sign bit makes signed order equal unsigned ring order.
            ring[k++] = ((h & ~OWNER_MASK) | i) ^ Long.MIN_VALUE;
        }
        return k;
    }

    /**
     * The next ring from the previous picker's, in O(points + changed log changed) rather than a
     * sort of every point: the points of back ends that stay with the same count keep their
     * positions and get their new index; those of back ends that left or changed count are dropped;
     * new ones are made, sorted and merged in. The result is the ring {@link #fullRing} would make.
     * Null when relabelling broke the order (two points of different back ends within 2^20 of each
     * other, p ~ 2^-24 per ring), for a full rebuild instead.
     */
    private static long[] carried(P p, Backend[] bs, int[] per) {
        Map<Backend, Integer> index = new IdentityHashMap<>(bs.length * 2);
        for (int i = 0; i < bs.length; i++) index.put(bs[i], i);
        int[] remap = new int[p.bs.length];
        boolean[] kept = new boolean[bs.length];
        for (int i = 0; i < p.bs.length; i++) {
            Integer j = index.get(p.bs[i]);
            remap[i] = j != null && per[j] == p.per[i] ? j : -1;
            if (remap[i] >= 0) kept[remap[i]] = true;
        }
        int count = 0, freshCount = 0;
        for (int i = 0; i < bs.length; i++) {
            count += per[i];
            if (!kept[i]) freshCount += per[i];
        }
        long[] fresh = new long[freshCount];
        int f = 0;
        for (int i = 0; i < bs.length; i++) if (!kept[i]) f = points(bs[i], i, per[i], fresh, f);
        Arrays.sort(fresh);
        long[] old = p.ring;
        long[] ring = new long[count];
        int k = 0, a = 0, b = 0;
        long last = Long.MIN_VALUE;
        while (k < count) {
            long next;
            if (a < old.length && remap[(int) (old[a] & OWNER_MASK)] < 0) {
                a++;
                continue;
            }
            long x = a < old.length ? (old[a] & ~OWNER_MASK) | remap[(int) (old[a] & OWNER_MASK)] : Long.MAX_VALUE;
            if (b < fresh.length && (a >= old.length || fresh[b] < x)) {
                next = fresh[b++];
            } else {
                next = x;
                a++;
            }
            if (next < last) return null;
            ring[k++] = last = next;
        }
        return ring;
    }

    private static final class P implements Picker {
        final Backend[] bs;
        /** c * w_i: back end i has room while inFlight_i * W < c * w_i * (poolInFlight + 1). */
        final double[] scaledWeight;
        final long totalWeight;
        /** Sorted, sign bit flipped (signed order = unsigned ring order); low OWNER_BITS = owner index. */
        final long[] ring;
        /** Ring points of each back end, for the next picker to carry the ring over. */
        final int[] per;

        P(Backend[] bs, int[] ws, int[] per, long totalWeight, long[] ring, double c) {
            this.bs = bs;
            this.per = per;
            this.totalWeight = totalWeight;
            this.ring = ring;
            this.scaledWeight = new double[ws.length];
            for (int i = 0; i < ws.length; i++) scaledWeight[i] = c * ws[i];
        }

        @Override
        public Backend pick(PickContext ctx) {
            // A redispatch that excludes every back end would otherwise walk the whole ring (up to 2^20 points).
            if (ctx.exclude().size() >= bs.length && allExcluded(ctx)) return null;
            long h = KeyHash.mix(ctx.hash()) ^ Long.MIN_VALUE;
            int start = firstAtOrAfter(h);
            int len = ring.length;
            // The request being placed counts: with m in flight, capacity_i = ceil(c * (m+1) * w_i / W).
            // For an integer load, load < ceil(x) iff load < x, so the test needs neither ceil nor a division.
            double total = bs[0].poolInFlight() + 1.0;
            Backend fallback = null;
            for (int k = 0; k < len; k++) {
                int idx = start + k;
                if (idx >= len) idx -= len;
                int i = (int) (ring[idx] & OWNER_MASK);
                Backend b = bs[i];
                if (ctx.excluded(b)) continue;
                if (fallback == null) fallback = b;
                if ((double) b.inFlight() * totalWeight < scaledWeight[i] * total) return b;
            }
            return fallback; // every candidate at capacity (counters raced): first non-excluded owner
        }

        private boolean allExcluded(PickContext ctx) {
            for (Backend b : bs) if (!ctx.excluded(b)) return false;
            return true;
        }

        private int firstAtOrAfter(long h) {
            long[] r = ring;
            int lo = 0, hi = r.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (r[mid] < h) lo = mid + 1; else hi = mid;
            }
            return lo == r.length ? 0 : lo;
        }
    }
}
