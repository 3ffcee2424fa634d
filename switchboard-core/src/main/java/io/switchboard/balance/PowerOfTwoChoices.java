package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;

/**
 * Power of two choices (Mitzenmacher 2001): draw two back ends at random (weighted), send to the one
 * with fewer in-flight requests per unit weight. Exponentially better max load than random, without
 * the herding of a global least-loaded scan when many dispatchers share stale counters.
 */
public final class PowerOfTwoChoices implements Algorithm {
    @Override
    public String name() {
        return "p2c";
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        return new P(set.eligible(), set.weights(), WeightedRandom.prefix(set.weights()));
    }

    private static final class P implements Picker {
        final Backend[] bs;
        final int[] ws;
        final long[] prefix;

        P(Backend[] bs, int[] ws, long[] prefix) {
            this.bs = bs;
            this.ws = ws;
            this.prefix = prefix;
        }

        @Override
        public Backend pick(PickContext ctx) {
            int n = bs.length;
            if (n == 1) return ctx.excluded(bs[0]) ? null : bs[0];
            long total = prefix[n - 1];
            int a = WeightedRandom.search(prefix, ctx.random().nextLong(total));
            int b = WeightedRandom.search(prefix, ctx.random().nextLong(total));
            if (a == b) b = (a + 1 + ctx.random().nextInt(n - 1)) % n;
            boolean xa = ctx.excluded(bs[a]), xb = ctx.excluded(bs[b]);
            if (!xa && !xb) {
                long la = bs[a].inFlight() + 1L, lb = bs[b].inFlight() + 1L;
                return la * ws[b] <= lb * ws[a] ? bs[a] : bs[b];
            }
            if (!xa) return bs[a];
            if (!xb) return bs[b];
            for (int k = 0; k < n; k++) {
                Backend c = bs[(a + k) % n];
                if (!ctx.excluded(c)) return c;
            }
            return null;
        }
    }
}
