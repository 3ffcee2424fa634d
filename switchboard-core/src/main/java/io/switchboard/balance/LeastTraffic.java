package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Least traffic first (RFC 2391): the back end with the fewest bytes to or from it over the sliding
 * window ({@link io.switchboard.load.WindowedCounter}), divided by weight. Ties (e.g. at start, or
 * after an idle window) rotate; in-flight breaks ties between equal byte counts so a burst of new
 * requests does not all land on the same idle server before any byte is counted.
 */
public final class LeastTraffic implements Algorithm {
    @Override
    public String name() {
        return "least-traffic";
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        AtomicInteger start = previous instanceof P p ? p.start : new AtomicInteger();
        return new P(set.eligible(), set.weights(), start);
    }

    private static final class P implements Picker {
        final Backend[] bs;
        final int[] ws;
        final AtomicInteger start;

        P(Backend[] bs, int[] ws, AtomicInteger start) {
            this.bs = bs;
            this.ws = ws;
            this.start = start;
        }

        @Override
        public Backend pick(PickContext ctx) {
            int n = bs.length;
            int off = Math.floorMod(start.getAndIncrement(), n);
            long now = ctx.nowNanos();
            Backend best = null;
            double bestScore = 0;
            for (int k = 0; k < n; k++) {
                int i = off + k;
                if (i >= n) i -= n;
                Backend b = bs[i];
                if (ctx.excluded(b)) continue;
                // bytes per unit weight; in-flight adds a small tie-breaker (one request ~ 1 KiB)
                double score = (b.traffic().sum(now) + 1024.0 * b.inFlight()) / ws[i];
                if (best == null || score < bestScore) {
                    best = b;
                    bestScore = score;
                }
            }
            return best;
        }
    }
}
