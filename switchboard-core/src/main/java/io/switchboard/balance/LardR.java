package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.balance.TargetTable.Assignment;
import io.switchboard.balance.TargetTable.Target;
import java.time.Duration;
import java.util.Arrays;

/**
 * Locality-aware request distribution with replication, LARD/R (Pai et al., "Locality-Aware
 * Request Distribution in Cluster-based Network Servers", ASPLOS VIII, 1998, section "LARD
 * with Replication"): like {@link Lard}, but a target popular enough to overload one back end is served
 * by a <em>set</em> of back ends, which grows under load and shrinks again once the load is gone.
 *
 * <p>The rules, per request for a target, with load = requests in flight:
 * <ul>
 *   <li>An empty set (a new target, or all of its back ends left the pool, went down or are
 *       drained) becomes {the least loaded back end}.
 *   <li>Otherwise the request goes to n, the least loaded back end of the set. If
 *       {@code n.load > T_high} while some back end is below {@code T_low}, or
 *       {@code n.load >= 2 * T_high}, the least loaded back end outside the set joins it and takes
 *       the request.
 *   <li>If the set has more than one back end and has not changed for {@code K}, its most loaded
 *       member other than the chosen one leaves it: a set only stays large while it keeps having to
 *       grow.
 *   <li>Paper defaults: T_low = 25, T_high = 65 active connections (as basic LARD), K = 20 s (as
 *       issue #12 quotes them).
 * </ul>
 *
 * <p>A redispatch that excludes every member of the set is served by the least loaded other back
 * end for that request only, without changing the set.
 *
 * <p>State: the pool's {@link TargetTable}, carried from picker to picker. A set is an immutable
 * {@link Assignment} replaced with a compare-and-set; when two loops change the same set at once
 * the first write wins and the other serves its own choice without recording it (at most one
 * request served outside the set).
 *
 * <p>Threading: any thread; lock-free; reads the back ends' live in-flight counters, and time only
 * from {@link PickContext#nowNanos()}.
 */
public final class LardR implements Algorithm {
    public static final Duration DEFAULT_SHRINK_AFTER = Duration.ofSeconds(20);

    private final int low;
    private final int high;
    private final long shrinkAfterNanos;
    private final int capacity;

    /** The paper's thresholds and K. */
    public LardR() {
        this(Lard.DEFAULT_LOW, Lard.DEFAULT_HIGH, DEFAULT_SHRINK_AFTER);
    }

    /** @throws IllegalArgumentException unless {@code 1 <= low < high} and {@code shrinkAfter} is positive */
    public LardR(int low, int high, Duration shrinkAfter) {
        this(low, high, shrinkAfter, TargetTable.DEFAULT_CAPACITY);
    }

    LardR(int low, int high, Duration shrinkAfter, int capacity) {
        Lard.checkThresholds("lard-r", low, high);
        if (shrinkAfter.isNegative() || shrinkAfter.isZero()) {
            throw new IllegalArgumentException("lard-r: the time after which an unchanged set shrinks must be positive, got " + shrinkAfter);
        }
        this.low = low;
        this.high = high;
        this.shrinkAfterNanos = shrinkAfter.toNanos();
        this.capacity = capacity;
    }

    @Override
    public String name() {
        return "lard-r";
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

    public Duration shrinkAfter() {
        return Duration.ofNanos(shrinkAfterNanos);
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        // Also for an empty snapshot: the table must outlive a moment with no eligible back end.
        if (previous instanceof P p) return new P(new LoadScan(set, p.scan.ties()), p.table, this);
        return new P(new LoadScan(set, new TieBreak()), new TargetTable(capacity), this);
    }

    private static final class P implements Picker {
        private static final Backend[] NONE = new Backend[0];

        final LoadScan scan;
        final TargetTable table;
        final int low;
        final int high;
        final long shrinkAfterNanos;

        P(LoadScan scan, TargetTable table, LardR algorithm) {
            this.scan = scan;
            this.table = table;
            this.low = algorithm.low;
            this.high = algorithm.high;
            this.shrinkAfterNanos = algorithm.shrinkAfterNanos;
        }

        @Override
        public Backend pick(PickContext ctx) {
            LoadScan scan = this.scan;
            if (scan.size() == 0) return null;
            long now = ctx.nowNanos();
            Target t = table.target(ctx.hash());
            Assignment a = t.assignment();
            Backend[] members = a == null ? NONE : a.servers();
            Backend[] live = live(members);
            boolean changed = live.length != members.length;
            if (live.length == 0) {
                int j = scan.leastLoaded(ctx, null);
                if (j < 0) return null;
                if (t.replace(a, new Assignment(new Backend[] {scan.bs[j]}, now))) return scan.bs[j];
                return t.winner(scan, ctx, scan.bs[j]);
            }
            int n = leastLoadedMember(live, ctx);
            if (n < 0) {
                // Every member excluded for this request: serve it elsewhere, leave the set alone.
                int j = scan.leastLoaded(ctx, live);
                return j < 0 ? null : scan.bs[j];
            }
            Backend chosen = scan.bs[n];
            if (Lard.overloaded(chosen.inFlight(), low, high, scan, ctx)) {
                int p = scan.leastLoaded(ctx, live);
                if (p >= 0) {
                    chosen = scan.bs[p];
                    live = Arrays.copyOf(live, live.length + 1);
                    live[live.length - 1] = chosen;
                    changed = true;
                }
            }
            long modified = a == null ? now : a.modifiedNanos();
            if (live.length > 1 && now - modified > shrinkAfterNanos) {
                live = withoutMostLoaded(live, chosen);
                changed = true;
            }
            if (changed) t.replace(a, new Assignment(live, now));
            return chosen;
        }

        /** The members still eligible in this snapshot (the same array when all are). */
        private Backend[] live(Backend[] members) {
            int keep = 0;
            for (Backend b : members) if (scan.indexOf(b) >= 0) keep++;
            if (keep == members.length) return members;
            Backend[] live = new Backend[keep];
            int k = 0;
            for (Backend b : members) if (scan.indexOf(b) >= 0) live[k++] = b;
            return live;
        }

        /** The snapshot index of the least loaded member this request may use, or -1. */
        private int leastLoadedMember(Backend[] live, PickContext ctx) {
            int best = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            for (Backend b : live) {
                if (ctx.excluded(b)) continue;
                int i = scan.indexOf(b);
                double c = scan.cost(i);
                if (c < bestCost) {
                    bestCost = c;
                    best = i;
                }
            }
            return best;
        }

        /** The set without its most loaded member other than {@code keep} (which serves this request). */
        private Backend[] withoutMostLoaded(Backend[] live, Backend keep) {
            int worst = -1;
            double worstCost = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < live.length; k++) {
                if (live[k] == keep) continue;
                double c = scan.cost(scan.indexOf(live[k]));
                if (c > worstCost) {
                    worstCost = c;
                    worst = k;
                }
            }
            Backend[] rest = new Backend[live.length - 1];
            for (int k = 0, r = 0; k < live.length; k++) if (k != worst) rest[r++] = live[k];
            return rest;
        }
    }
}
