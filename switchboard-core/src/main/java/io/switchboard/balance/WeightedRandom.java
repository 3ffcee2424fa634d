package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;

/**
 * Weighted random: back end i with probability w_i / sum(w). Binary search over prefix sums
 * built once per snapshot: O(log n), no allocation. Randomness comes from the context.
 */
public final class WeightedRandom implements Algorithm {
    @Override
    public String name() {
        return "random";
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        return new P(set.eligible(), prefix(set.weights()));
    }

    static long[] prefix(int[] ws) {
        long[] p = new long[ws.length];
        long acc = 0;
        for (int i = 0; i < ws.length; i++) {
            acc += ws[i];
            p[i] = acc;
        }
        return p;
    }

    /** Index of the first prefix sum greater than r. */
    static int search(long[] prefix, long r) {
        int lo = 0, hi = prefix.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (prefix[mid] > r) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    private static final class P implements Picker {
        final Backend[] bs;
        final long[] prefix;

        P(Backend[] bs, long[] prefix) {
            this.bs = bs;
            this.prefix = prefix;
        }

        @Override
        public Backend pick(PickContext ctx) {
            long total = prefix[prefix.length - 1];
            for (int attempt = 0; attempt < 4; attempt++) {
                Backend b = bs[search(prefix, ctx.random().nextLong(total))];
                if (!ctx.excluded(b)) return b;
            }
            // Many exclusions: fall back to a deterministic scan from a random point.
            int n = bs.length;
            int off = ctx.random().nextInt(n);
            for (int k = 0; k < n; k++) {
                Backend b = bs[(off + k) % n];
                if (!ctx.excluded(b)) return b;
            }
            return null;
        }
    }
}
