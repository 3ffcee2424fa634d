package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;

/**
 * Power of two choices (Mitzenmacher 2001): draw two back ends at random (weighted), send to the one
 * with fewer in-flight requests per unit weight. Exponentially better max load than random, without
 * the herding of a global least-loaded scan when many dispatchers share stale counters.
 *
 * <p>Threading: the picker is immutable. The weighted draws come from an {@link AliasTable} built
 * per snapshot, so a pick is O(1) whatever the pool size.
 */
public final class PowerOfTwoChoices implements Algorithm {
    @Override
    public String name() {
        return "p2c";
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        return new P(set.eligible(), set.weights());
    }

    private static final class P extends TwoChoices {
        P(Backend[] bs, int[] ws) {
            super(bs, ws);
        }

        @Override
        boolean lighter(int a, int b, long nowNanos) {
            return fewerInFlight(a, b);
        }
    }
}
