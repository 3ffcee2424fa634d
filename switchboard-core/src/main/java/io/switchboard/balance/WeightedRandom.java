package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;

/**
 * Weighted random: back end i with probability w_i / sum(w), drawn from an {@link AliasTable} built
 * once per snapshot: O(1), no allocation. Randomness comes from the context.
 *
 * <p>Threading: the picker is immutable.
 */
public final class WeightedRandom implements Algorithm {
    @Override
    public String name() {
        return "random";
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        return new P(set.eligible(), new AliasTable(set.weights()));
    }

    private static final class P implements Picker {
        final Backend[] bs;
        final AliasTable table;

        P(Backend[] bs, AliasTable table) {
            this.bs = bs;
            this.table = table;
        }

        @Override
        public Backend pick(PickContext ctx) {
            for (int attempt = 0; attempt < 4; attempt++) {
                Backend b = bs[table.sample(ctx.random())];
                if (!ctx.excluded(b)) return b;
            }
            // Many exclusions: fall back to a deterministic scan from a random point.
            int n = bs.length;
            int off = ctx.randomIndex(n);
            for (int k = 0; k < n; k++) {
                int i = off + k;
                if (i >= n) i -= n;
                if (!ctx.excluded(bs[i])) return bs[i];
            }
            return null;
        }
    }
}
