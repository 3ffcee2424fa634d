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
 * target is new or its server is overloaded, not on every request.
 *
 * <p>Threading: immutable after construction but for the tie-break cursor (lock-free); reads the
 * back ends' live in-flight counters.
 */
final class LoadScan {
    final Backend[] bs;
    private final double[] inverseWeight;
    private final Map<Backend, Integer> index;
    private final TieBreak ties;

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
