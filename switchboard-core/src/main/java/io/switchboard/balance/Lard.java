package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.balance.TargetTable.Assignment;
import io.switchboard.balance.TargetTable.Target;

/**
 * Locality-aware request distribution, basic form (Pai, Aron, Banga, Svendsen, Druschel,
 * Zwaenepoel, Nahum, "Locality-Aware Request Distribution in Cluster-based Network Servers",
 * ASPLOS VIII, 1998, section "Basic LARD"): each target (the request's normalised path, or the key
 * its route chose: {@link AffinityKey#PATH}, {@link RequestView#affinityPath()}) is served by one
 * back end, so that its content stays in that back end's cache, until that back end is overloaded;
 * then the target moves to the least loaded back end.
 *
 * <p>The rules, with load = the back end's requests in flight:
 * <ul>
 *   <li>A new target (or one whose back end left the pool, went down or is drained) goes to the
 *       least loaded back end ({@link LoadScan}: least-conn's weighted measure).
 *   <li>A target stays on its back end n unless {@code n.load > T_high} while some back end is
 *       below {@code T_low}, or {@code n.load >= 2 * T_high}; then it moves to the least loaded back
 *       end. The first rule moves work only when another server is nearly idle (imbalance is then
 *       worth a cache miss); the second bounds any back end's load at 2 T_high whatever the rest
 *       do, which bounds the delay a request can see.
 *   <li>Defaults ({@link #DEFAULT_LOW}, {@link #DEFAULT_HIGH}): the paper's T_low = 25 and T_high =
 *       65 active connections. Below T_low a back end likely has idle resources; above T_high it
 *       likely delays requests noticeably. (The values are as issue #12 quotes them; the paper's
 *       text was not at hand to check them or its section numbers.)
 * </ul>
 *
 * <p>Not here: the paper's front end also stops admitting connections once the cluster holds
 * {@code (n - 1) * T_high + T_low - 1}; in Switchboard, limits and queueing belong to the pool's
 * {@code max-connections} and queue, not to the algorithm.
 *
 * <p>A redispatch that excludes the target's back end is served by the least loaded other back end
 * for that request only: one failure does not move the target.
 *
 * <p>State: the pool's {@link TargetTable} (bounded, least recently used targets evicted), carried
 * from each picker to the next, so targets keep their back ends across membership changes. The
 * paper's front end decides sequentially; here event loops decide concurrently, and two loops that
 * both see a target's server overloaded may both move it; the later write wins, which costs at
 * most one extra move.
 *
 * <p>Threading: any thread; lock-free (see {@link TargetTable}); reads the back ends' live
 * in-flight counters, never the clock.
 */
public final class Lard implements Algorithm {
    public static final int DEFAULT_LOW = 25;
    public static final int DEFAULT_HIGH = 65;

    private final int low;
    private final int high;
    private final int capacity;

    /** The paper's thresholds. */
    public Lard() {
        this(DEFAULT_LOW, DEFAULT_HIGH);
    }

    /** @throws IllegalArgumentException unless {@code 1 <= low < high} */
    public Lard(int low, int high) {
        this(low, high, TargetTable.DEFAULT_CAPACITY);
    }

    Lard(int low, int high, int capacity) {
        checkThresholds("lard", low, high);
        this.low = low;
        this.high = high;
        this.capacity = capacity;
    }

    static void checkThresholds(String algorithm, int low, int high) {
        if (low < 1 || high <= low) {
            throw new IllegalArgumentException(algorithm + ": thresholds must satisfy 1 <= low < high, got low " + low + ", high " + high);
        }
        if (high > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException(algorithm + ": high threshold must be at most " + Integer.MAX_VALUE / 2 + ", got " + high);
        }
    }

    /**
     * The paper's test for moving work off a target's back end with {@code load} in flight: over
     * T_high while some back end this request may use is under T_low, or at 2 T_high regardless.
     */
    static boolean overloaded(int load, int low, int high, LoadScan scan, PickContext ctx) {
        return load >= 2 * high || (load > high && scan.anyBelow(ctx, low));
    }

    @Override
    public String name() {
        return "lard";
    }

    @Override
    public AffinityKey affinityKey() {
        return AffinityKey.PATH;
    }

    public int low() {
        return low;
    }

    public int high() {
        return high;
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        // Also for an empty snapshot: the table must outlive a moment with no eligible back end.
        if (previous instanceof P p) return new P(new LoadScan(set, p.scan.ties()), p.table, low, high);
        return new P(new LoadScan(set, new TieBreak()), new TargetTable(capacity), low, high);
    }

    private static final class P implements Picker {
        final LoadScan scan;
        final TargetTable table;
        final int low;
        final int high;

        P(LoadScan scan, TargetTable table, int low, int high) {
            this.scan = scan;
            this.table = table;
            this.low = low;
            this.high = high;
        }

        @Override
        public Backend pick(PickContext ctx) {
            LoadScan scan = this.scan;
            if (scan.size() == 0) return null;
            long now = ctx.nowNanos();
            Target t = table.target(ctx.hash());
            Assignment a = t.assignment();
            Backend n = a == null ? null : a.servers()[0];
            if (n == null || scan.indexOf(n) < 0) return assign(t, a, ctx, now);
            if (ctx.excluded(n)) {
                int j = scan.leastLoaded(ctx, null);
                return j < 0 ? null : scan.bs[j];
            }
            if (overloaded(n.inFlight(), low, high, scan, ctx)) return assign(t, a, ctx, now);
            return n;
        }

        /** The target goes to the least loaded back end this request may use. */
        private Backend assign(Target t, Assignment a, PickContext ctx, long now) {
            int j = scan.leastLoaded(ctx, null);
            if (j < 0) return null;
            Backend chosen = scan.bs[j];
            if ((a != null && a.servers()[0] == chosen) || t.replace(a, new Assignment(new Backend[] {chosen}, now))) return chosen;
            return t.winner(scan, ctx, chosen);
        }
    }
}
