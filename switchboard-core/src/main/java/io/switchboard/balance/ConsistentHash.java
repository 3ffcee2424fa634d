package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.Arrays;

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
 */
public final class ConsistentHash implements Algorithm {
    public static final double DEFAULT_LOAD_FACTOR = 1.25;
    static final int POINTS_PER_WEIGHT = 64;
    static final int MAX_POINTS = 1 << 20;

    private final String name;
    private final double loadFactor;

    public ConsistentHash(String name, double loadFactor) {
        if (!(loadFactor >= 1.0)) throw new IllegalArgumentException("hash load factor must be >= 1.0, got " + loadFactor);
        this.name = name;
        this.loadFactor = loadFactor;
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
        int[] ws = set.weights();
        long totalPoints = 0;
        for (int w : ws) totalPoints += (long) w * POINTS_PER_WEIGHT;
        double scale = totalPoints > MAX_POINTS ? (double) MAX_POINTS / totalPoints : 1.0;
        int count = 0;
        int[] per = new int[bs.length];
        for (int i = 0; i < bs.length; i++) {
            per[i] = Math.max(1, (int) (ws[i] * POINTS_PER_WEIGHT * scale));
            count += per[i];
        }
        long[] points = new long[count];
        int k = 0;
        for (int i = 0; i < bs.length; i++) {
            // Point positions depend only on the back end's identity, so they survive membership changes.
            long base = KeyHash.of(bs[i].pool() + "/" + bs[i].name() + "@" + bs[i].address());
            for (int j = 0; j < per[i]; j++) {
                long h = KeyHash.mix(base + j * 0x9e3779b97f4a7c15L);
                points[k++] = h;
            }
        }
        // Sort points carrying their owner: pack (hash, owner) via index sort.
        Integer[] order = new Integer[count];
        int[] owner = new int[count];
        k = 0;
        for (int i = 0; i < bs.length; i++) for (int j = 0; j < per[i]; j++) owner[k++] = i;
        for (int i = 0; i < count; i++) order[i] = i;
        final long[] pts = points;
        Arrays.sort(order, (x, y) -> Long.compareUnsigned(pts[x], pts[y]));
        long[] ring = new long[count];
        int[] ringOwner = new int[count];
        for (int i = 0; i < count; i++) {
            ring[i] = pts[order[i]];
            ringOwner[i] = owner[order[i]];
        }
        return new P(bs, ws, set.totalWeight(), ring, ringOwner, loadFactor);
    }

    private static final class P implements Picker {
        final Backend[] bs;
        final int[] ws;
        final long totalWeight;
        final long[] ring;
        final int[] owner;
        final double c;

        P(Backend[] bs, int[] ws, long totalWeight, long[] ring, int[] owner, double c) {
            this.bs = bs;
            this.ws = ws;
            this.totalWeight = totalWeight;
            this.ring = ring;
            this.owner = owner;
            this.c = c;
        }

        @Override
        public Backend pick(PickContext ctx) {
            long h = KeyHash.mix(ctx.hash());
            int start = firstAtOrAfter(h);
            int len = ring.length;
            double total = bs[0].poolInFlight() + 1.0;
            Backend fallback = null;
            for (int k = 0; k < len; k++) {
                int idx = start + k;
                if (idx >= len) idx -= len;
                int i = owner[idx];
                Backend b = bs[i];
                if (ctx.excluded(b)) continue;
                if (fallback == null) fallback = b;
                double capacity = Math.ceil(c * total * ws[i] / totalWeight);
                if (b.inFlight() < capacity) return b;
            }
            return fallback; // every candidate at capacity (counters raced): first non-excluded owner
        }

        private int firstAtOrAfter(long h) {
            int lo = 0, hi = ring.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(ring[mid], h) < 0) lo = mid + 1; else hi = mid;
            }
            return lo == ring.length ? 0 : lo;
        }
    }
}
