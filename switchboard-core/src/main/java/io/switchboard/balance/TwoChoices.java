package io.switchboard.balance;

import io.switchboard.backend.Backend;

/**
 * The pick of the two-choice algorithms ({@link PowerOfTwoChoices}, {@link LeastLoad}): two distinct
 * candidates drawn by weight from an {@link AliasTable}, the lighter one wins; an excluded candidate
 * (tried already, over its limit) leaves the other, and with both excluded the next usable back end
 * after the first draw is taken. Subclasses say only what "lighter" means.
 *
 * <p>Threading: immutable; {@link #lighter} must read the back ends lock-free.
 */
abstract class TwoChoices implements Picker {
    final Backend[] bs;
    final int[] ws;
    private final AliasTable table;

    TwoChoices(Backend[] bs, int[] ws) {
        this.bs = bs;
        this.ws = ws;
        this.table = new AliasTable(ws);
    }

    @Override
    public final Backend pick(PickContext ctx) {
        int n = bs.length;
        if (n == 1) return ctx.excluded(bs[0]) ? null : bs[0];
        int a = table.sample(ctx.random());
        int b = table.sample(ctx.random());
        if (a == b) {
            // Two distinct choices: the second becomes a uniformly drawn other back end.
            b = a + 1 + ctx.randomIndex(n - 1);
            if (b >= n) b -= n;
        }
        boolean xa = ctx.excluded(bs[a]), xb = ctx.excluded(bs[b]);
        if (!xa && !xb) return lighter(a, b, ctx.nowNanos()) ? bs[a] : bs[b];
        if (!xa) return bs[a];
        if (!xb) return bs[b];
        for (int k = 1; k < n; k++) {
            int i = a + k;
            if (i >= n) i -= n;
            if (!ctx.excluded(bs[i])) return bs[i];
        }
        return null;
    }

    /** Whether back end {@code a} is at most as loaded as {@code b}; ties go to a, itself a random draw. */
    abstract boolean lighter(int a, int b, long nowNanos);

    /** Requests in flight per unit weight, compared without dividing. */
    final boolean fewerInFlight(int a, int b) {
        long la = bs[a].inFlight() + 1L, lb = bs[b].inFlight() + 1L;
        return la * ws[b] <= lb * ws[a];
    }
}
