package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Weighted least connections (RFC 2391 "least load first": the member with the fewest sessions
 * bound to it): the back end with the lowest {@code (inFlight + 1) / weight}. The +1 makes weights
 * matter when everything is idle. The scan starts at a rotating offset so that ties spread round
 * robin instead of piling on the first server.
 */
public final class LeastConnections implements Algorithm {
    @Override
    public String name() {
        return "least-conn";
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        Backend[] bs = set.eligible();
        int[] ws = set.weights();
        AtomicInteger start = previous instanceof P p ? p.start : new AtomicInteger();
        return new P(bs, ws, start);
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
            Backend best = null;
            long bestLoad = 0;
            int bestW = 1;
            for (int k = 0; k < n; k++) {
                int i = off + k;
                if (i >= n) i -= n;
                Backend b = bs[i];
                if (ctx.excluded(b)) continue;
                long load = b.inFlight() + 1L;
                // load / w < bestLoad / bestW, cross-multiplied to stay in integers
                if (best == null || load * bestW < bestLoad * ws[i]) {
                    best = b;
                    bestLoad = load;
                    bestW = ws[i];
                }
            }
            return best;
        }
    }
}
