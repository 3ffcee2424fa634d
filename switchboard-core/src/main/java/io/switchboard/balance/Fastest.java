package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fastest response (RFC 2391): the back end with the lowest expected wait,
 * {@code peakEwmaLatency * (inFlight + 1) / weight} (Finagle's and Linkerd's cost). Multiplying by
 * in-flight keeps the fastest server from being flooded: its cost rises with every request it is
 * given. A back end never measured has cost 0 and is tried first, so new servers get measured.
 */
public final class Fastest implements Algorithm {
    @Override
    public String name() {
        return "fastest";
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
            double bestCost = 0;
            for (int k = 0; k < n; k++) {
                int i = off + k;
                if (i >= n) i -= n;
                Backend b = bs[i];
                if (ctx.excluded(b)) continue;
                double cost = b.latency().cost(now) * (b.inFlight() + 1) / ws[i];
                if (best == null || cost < bestCost) {
                    best = b;
                    bestCost = cost;
                }
            }
            return best;
        }
    }
}
