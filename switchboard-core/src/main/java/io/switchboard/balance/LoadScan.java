package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One snapshot's eligible back ends as the locality-aware pickers ({@link Lard}, {@link LardR}) see
 * them: where a back end stands in the snapshot (or that it is not eligible in it), and which is the
 * least loaded. "Least loaded" is least-conn's measure, {@code (inFlight + 1) / weight}, so that
 * new targets follow the weights; equal loads take turns ({@link TieBreak}), so that sequential
 * requests for new targets on an idle pool spread. The paper's thresholds compare the raw
 * in-flight count, as the paper (homogeneous back ends) does.
 *
 * <p>The scans here are plain loops, not {@link ScanKey}'s branch-free packing: they run when a
 * target is new or its server is overloaded, not on every request. From {@link
 * LeastConnections#TREE_FROM} back ends both questions are answered from a {@link LoadTree} in
 * O(log n) (the least loaded by least-conn's integer ratio, so equal ratios of different weights
 * order as least-conn orders them) unless the request excludes back ends or LARD-R skips some.
 *
 * <p>Threading: immutable after construction but for the tie-break cursor (lock-free) and the tree,
 * which the event loops update ({@link LoadTree}); reads the back ends' live in-flight counters.
 */
final class LoadScan {
    final Backend[] bs;
    private final double[] inverseWeight;
    private final Map<Backend, Integer> index;
    private final TieBreak ties;
    /** floor(2^46 / w_i): least-conn's integer ratio, for the tree. */
    private final long[] treeScale;
    /**
     * From {@link LeastConnections#TREE_FROM} back ends: least-conn's order (key set 0) and the raw
     * in-flight counts (key set 1), so that a new target and the overload test need no scan; null
     * for smaller pools.
     */
    private final LoadTree tree;

    LoadScan(BackendSet set, TieBreak ties) {
        this.bs = set.eligible();
        int[] ws = set.weights();
        this.inverseWeight = new double[bs.length];
        this.index = new IdentityHashMap<>(bs.length * 2);
        for (int i = 0; i < bs.length; i++) {
            inverseWeight[i] = 1.0 / Math.max(1, ws[i]);
            index.put(bs[i], i);
        }
        this.ties = ties;
        this.treeScale = new long[bs.length];
        for (int i = 0; i < bs.length; i++) treeScale[i] = (1L << LeastConnections.TREE_S) / Math.max(1, ws[i]);
        this.tree = bs.length >= LeastConnections.TREE_FROM
                ? new LoadTree(bs, i -> Math.min(bs[i].inFlight() + 1L, LeastConnections.LOAD_CAP) * treeScale[i], i -> bs[i].inFlight())
                : null;
    }

    /** The tree when it may answer for this request: nothing excluded or skipped, and still following the back ends. */
    private LoadTree tree(PickContext ctx, Backend[] skip) {
        LoadTree t = tree;
        return t != null && skip == null && ctx.exclude().isEmpty() && t.current() ? t : null;
    }

    TieBreak ties() {
        return ties;
    }

    int size() {
        return bs.length;
    }

    /** The back end's position in this snapshot, or -1 when it is not eligible here. */
    int indexOf(Backend b) {
        Integer i = index.get(b);
        return i == null ? -1 : i;
    }

    double cost(int i) {
        return (bs[i].inFlight() + 1.0) * inverseWeight[i];
    }

    /**
     * The least loaded back end that is neither excluded for this request nor in {@code skip} (may
     * be null), or -1 when none is left.
     */
    int leastLoaded(PickContext ctx, Backend[] skip) {
        int n = bs.length;
        if (n == 0) return -1;
        LoadTree t = tree(ctx, skip);
        if (t != null) {
            int best = t.firstMin(ties.start(n));
            if (best >= 0) {
                ties.won(best, n);
                return best;
            }
        }
        int start = ties.start(n);
        int best = -1;
        double bestCost = Double.POSITIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            int i = start + k < n ? start + k : start + k - n;
            Backend b = bs[i];
            if (ctx.excluded(b) || contains(skip, b)) continue;
            double c = cost(i);
            if (c < bestCost) {
                bestCost = c;
                best = i;
            }
        }
        if (best >= 0) ties.won(best, n);
        return best;
    }

    /** Whether some back end that this request may use has fewer than {@code low} requests in flight. */
    boolean anyBelow(PickContext ctx, int low) {
        LoadTree t = tree(ctx, null);
        if (t != null) {
            t.settle();
            return t.min(1) < low;
        }
        for (Backend b : bs) {
            if (b.inFlight() < low && !ctx.excluded(b)) return true;
        }
        return false;
    }

    static boolean contains(Backend[] servers, Backend b) {
        if (servers == null) return false;
        for (Backend s : servers) if (s == b) return true;
        return false;
    }
}
