package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;

/**
 * Weighted least connections (RFC 2391 "least load first": the member with the fewest sessions
 * bound to it): the back end with the lowest {@code (inFlight + 1) / weight}. The +1 makes weights
 * matter when everything is idle. Ties are broken round robin ({@link TieBreak}), as HAProxy's
 * leastconn does: with sequential traffic every back end is at 0 in flight at every pick, and the
 * turns spread the requests evenly over back ends of equal weight.
 *
 * <p>The scan is O(n) like NGINX's {@code least_conn}, one load per back end, without division and
 * without data-dependent branches ({@link ScanKey}): the ratio is the integer
 * {@code load * floor(2^S / w)}. That keeps distinct ratios apart exactly: two different ratios
 * a/b and c/d (weights at most 2^8, loads below 2^16) differ by at least 1/(bd) >= 2^-16, which is
 * 2^(S-16) after scaling, while flooring costs less than the load, 2^16; so S >= 33 suffices, and
 * S = 62 - 16 - positionBits gives that up to 8192 back ends. Loads are capped at 2^16 - 1 (a
 * negative count, a caller's bug, reads as the least loaded).
 *
 * <p>From {@link #TREE_FROM} back ends a pick does not scan: the back ends' keys (the same integer
 * ratio, with S = 46 since no position bits are needed) are kept in a {@link LoadTree} that the
 * in-flight counters update as they change, and a pick finds the least, first at or after the
 * tie-break cursor, in O(log n): under 100 ns at 10,000 back ends where the scan took tens of
 * microseconds. The cost moves to the request path: each in-flight change walks the tree under a
 * short lock (see {@link LoadTree}). A redispatch (back ends excluded) scans.
 *
 * <p>Threading: the picker's mutable state is the tie-break cursor ({@link TieBreak}, lock-free)
 * and the tree, which the event loops update (see {@link LoadTree}); it reads the back ends' live
 * in-flight counters.
 */
public final class LeastConnections implements Algorithm {
    static final int LOAD_CAP = (1 << 16) - 1;
    /** The tree's scale exponent: loads below 2^16 times at most 2^46 stay below 2^62. */
    static final int TREE_S = 46;
    /** Pools from this size keep their back ends in a {@link LoadTree}; smaller ones scan. */
    static final int TREE_FROM = 16;

    @Override
    public String name() {
        return "least-conn";
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        return new P(set.eligible(), set.weights(), previous instanceof P p ? p.ties : new TieBreak());
    }

    private static final class P implements Picker {
        final Backend[] bs;
        /** floor(2^S / w_i), shifted left past the position bits. */
        final long[] scale;
        /** floor(2^TREE_S / w_i): the tree's keys need no position bits. */
        final long[] treeScale;
        final long[] indices;
        final long positionMask;
        final TieBreak ties;
        /** Null for a pool too small to gain from it (the branch-free scan is as quick there). */
        final LoadTree tree;

        P(Backend[] bs, int[] ws, TieBreak ties) {
            this.bs = bs;
            this.ties = ties;
            this.indices = ScanKey.indices(bs.length);
            int positionBits = ScanKey.positionBits(bs.length);
            this.positionMask = (1L << positionBits) - 1;
            int s = 62 - 16 - positionBits;
            this.scale = new long[ws.length];
            this.treeScale = new long[ws.length];
            for (int i = 0; i < ws.length; i++) {
                scale[i] = ((1L << s) / Math.max(1, ws[i])) << positionBits;
                treeScale[i] = (1L << TREE_S) / Math.max(1, ws[i]);
            }
            this.tree = bs.length >= TREE_FROM ? new LoadTree(bs, this::treeKey) : null;
        }

        /** The tree's key of back end i: the scan's key without the position bits. */
        private long treeKey(int i) {
            return Math.min(bs[i].inFlight() + 1L, LOAD_CAP) * treeScale[i];
        }

        @Override
        public Backend pick(PickContext ctx) {
            LoadTree t = tree;
            if (t != null && ctx.exclude().isEmpty() && t.current()) {
                int n = bs.length;
                int winner = t.firstMin(ties.start(n));
                if (winner >= 0) {
                    ties.won(winner, n);
                    return bs[winner];
                }
            }
            return scan(ctx);
        }

        /** Every back end, branch-free (see the class comment); for redispatches and small pools. */
        private Backend scan(PickContext ctx) {
            Backend[] bs = this.bs;
            long[] scale = this.scale;
            long[] indices = this.indices;
            long mask = positionMask;
            int n = bs.length;
            boolean filter = !ctx.exclude().isEmpty();
            int cursor = ties.start(n);
            long best = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                Backend b = bs[i];
                long load = Math.min(b.inFlight() + 1L, LOAD_CAP);
                long key = load * scale[i] | ScanKey.position(indices[i], cursor, n);
                if (filter && ctx.excluded(b)) key = Long.MAX_VALUE;
                best = Math.min(best, key);
            }
            if (best == Long.MAX_VALUE) return null;
            int winner = ScanKey.index(best, mask, cursor, n);
            ties.won(winner, n);
            return bs[winner];
        }
    }
}
