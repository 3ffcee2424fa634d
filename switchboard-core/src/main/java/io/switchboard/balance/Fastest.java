package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.load.PeakEwma;

/**
 * Fastest response (RFC 2391): the back end with the lowest expected wait,
 * {@code peakEwmaLatency * (inFlight + 1) / weight} (Finagle's and Linkerd's cost). Multiplying by
 * in-flight keeps the fastest server from being flooded: its cost rises with every request it is
 * given.
 *
 * <p>A back end never measured costs 0 while it has nothing in flight, so a new server is tried at
 * once; while its first requests are in flight it costs {@link #PENALTY_NANOS} + inFlight (Finagle's
 * penalty), so a burst does not pile onto a server nobody has measured yet.
 *
 * <p>The scan compares logarithms, which turns the cost's product and quotient into sums:
 * {@code ln cost = ln(ewma(now)) + ln(inFlight + 1) - ln(w)}, and {@code ln(ewma(now))} is
 * {@link PeakEwma#logCostAtEpoch()} minus {@code now / tau}. The writers keep the first two terms
 * summed in one word per back end ({@link Backend#latencyScore()}, i.e. {@link
 * PeakEwma#logLoadAtEpoch}); {@code ln(w)} is computed per snapshot; and when all back ends decay
 * with the same tau (always, for a pool's back ends), {@code now / tau} is the same for all and drops
 * out of the comparison. So the scan reads one word per back end, subtracts, and keeps the minimum
 * without a data-dependent branch ({@link ScanKey}). While every difference is positive (the clock
 * is past a few tau), their raw bits order them. The scores are about {@code now / tau}, so costs
 * closer than a relative {@code 2^(positionBits - 52) * now / tau} tie (about 1e-8 with 100 back
 * ends and a clock a month past zero).
 *
 * <p>The exact rule has cases that scan does not decide, and then the picker runs the exact scan
 * from the counters themselves, as it did before the scores (about twice as slow): a back end never
 * measured and idle, or a difference below zero (both make the minimum key negative); a minimum at
 * or above the lowest possible penalty, {@code ln(PENALTY) - ln(max weight)}, which happens only
 * when every candidate is unmeasured and busy or the cheapest costs more than PENALTY / max weight
 * (39 h, or 9 minutes at weight 256); and back ends with different decays. Either way the pick is
 * the fastest back end by the rule above.
 *
 * <p>Equal costs (back ends never measured and idle, or measured alike) are served round robin
 * ({@link TieBreak}).
 *
 * <p>From {@link LeastConnections#TREE_FROM} back ends (with one decay) a pick does not scan: the
 * differences {@code latencyScore - ln(w)}, in full and in signed order (so negative ones and
 * -infinity need no exact scan), are kept in a {@link LoadTree} that the counters update as they
 * change, and a pick takes the least from the cursor in O(log n). The penalty case and redispatches
 * still scan.
 *
 * <p>Threading: the picker's mutable state is the tie-break cursor ({@link TieBreak}, lock-free)
 * and the tree, which the event loops update ({@link LoadTree}); it reads the back ends' live counters.
 */
public final class Fastest implements Algorithm {
    /** Cost of an unmeasured back end with requests in flight (Finagle: Long.MaxValue >> 16 ns, ~39 h). */
    static final double PENALTY_NANOS = (double) (Long.MAX_VALUE >> 16);

    /** Rounding in a score and its difference, in ln units: far more than a few ulps of any sane score. */
    private static final double ROUNDING = 1e-6;

    @Override
    public boolean readsLatency() {
        return true;
    }

    @Override
    public String name() {
        return "fastest";
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        return new P(set.eligible(), set.weights(), previous instanceof P p ? p.ties : new TieBreak());
    }

    private static final class P implements Picker {
        final Backend[] bs;
        /** The back ends' latency averages, index-aligned, for the exact scan. */
        final PeakEwma[] ewmas;
        /** 1 / tau of each average (final in PeakEwma, so it can be copied here). */
        final double[] inverseDecay;
        final double[] logWeight;
        final long[] indices;
        final long positionMask;
        /** Whether all back ends share one tau, so that the scores can be compared directly. */
        final boolean sameDecay;
        /** ln(PENALTY) - ln(max weight): no unmeasured busy back end costs less. */
        final double penaltyFloor;
        final TieBreak ties;
        /** Null for a small pool, or back ends with different decays (their scores do not compare). */
        final LoadTree tree;

        P(Backend[] bs, int[] ws, TieBreak ties) {
            this.bs = bs;
            this.ties = ties;
            int n = bs.length;
            this.positionMask = (1L << ScanKey.positionBits(n)) - 1;
            this.indices = ScanKey.indices(n);
            this.ewmas = new PeakEwma[n];
            this.inverseDecay = new double[n];
            this.logWeight = new double[n];
            boolean same = true;
            double maxLogWeight = 0;
            for (int i = 0; i < n; i++) {
                bs[i].keepScores();
                ewmas[i] = bs[i].latency();
                inverseDecay[i] = ewmas[i].inverseDecay();
                logWeight[i] = Math.log(Math.max(1, ws[i]));
                same &= inverseDecay[i] == inverseDecay[0];
                maxLogWeight = Math.max(maxLogWeight, logWeight[i]);
            }
            this.sameDecay = same;
            this.penaltyFloor = Math.log(PENALTY_NANOS) - maxLogWeight;
            this.tree = same && n >= LeastConnections.TREE_FROM ? new LoadTree(bs, this::treeKey) : null;
        }

        /** The tree's key of back end i: its score less ln(w), in full (signed order of the double). */
        private long treeKey(int i) {
            return ScanKey.sortable(bs[i].latencyScore() - logWeight[i]);
        }

        /**
         * The pick from the tree, or null when the scan must decide: back ends excluded, a newer tree
         * took them over, a concurrent write spoilt the descent, or the least cost is at the penalty
         * floor (every candidate unmeasured and busy, see the class comment).
         */
        private Backend fromTree(PickContext ctx) {
            LoadTree t = tree;
            if (t == null || !ctx.exclude().isEmpty() || !t.current()) return null;
            int n = bs.length;
            int winner = t.firstMin(ties.start(n));
            if (winner < 0) return null;
            long key = t.key(winner);
            // undo sortable: non-negative keys are the raw bits, negative ones have the magnitude flipped
            double x = Double.longBitsToDouble(key ^ ((key >> 63) & Long.MAX_VALUE));
            if (x + ROUNDING - ctx.nowNanos() * inverseDecay[0] >= penaltyFloor) return null;
            ties.won(winner, n);
            return bs[winner];
        }

        @Override
        public Backend pick(PickContext ctx) {
            Backend fromTree = fromTree(ctx);
            if (fromTree != null) return fromTree;
            int n = bs.length;
            int cursor = ties.start(n);
            if (!sameDecay) return scanCounters(ctx, cursor);
            Backend[] bs = this.bs;
            double[] logW = this.logWeight;
            long[] indices = this.indices;
            long mask = positionMask;
            boolean filter = !ctx.exclude().isEmpty();
            long best = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                Backend b = bs[i];
                // Not ScanKey.of: negative differences are sent to the exact scan below instead of
                // being sign-fixed here, which saves three instructions per back end.
                long key = ScanKey.ofNonNegative(b.latencyScore() - logW[i], ScanKey.position(indices[i], cursor, n), mask);
                if (filter && ctx.excluded(b)) key = Long.MAX_VALUE;
                best = Math.min(best, key);
            }
            if (best == Long.MAX_VALUE) return null; // every back end excluded
            // The winner's difference less the position bits the key dropped (+infinity when every
            // candidate is unmeasured and busy), and at most what those bits and rounding were worth.
            double x = Double.longBitsToDouble(best & ~mask);
            double slack = x * 0x1p-52 * (mask + 1) + ROUNDING;
            if (best < 0 || x + slack - ctx.nowNanos() * inverseDecay[0] >= penaltyFloor) return scanCounters(ctx, cursor);
            return won(best, cursor);
        }

        /** The exact scan from the counters: handles unmeasured back ends, any clock, any decays. */
        private Backend scanCounters(PickContext ctx, int cursor) {
            Backend[] bs = this.bs;
            PeakEwma[] ewmas = this.ewmas;
            double[] invTau = this.inverseDecay;
            double[] logW = this.logWeight;
            long[] indices = this.indices;
            long mask = positionMask;
            int n = bs.length;
            boolean filter = !ctx.exclude().isEmpty();
            double now = ctx.nowNanos();
            long best = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                Backend b = bs[i];
                int inFlight = b.inFlight();
                double logEwma = ewmas[i].logCostAtEpoch();
                double logCost;
                if (logEwma == Double.NEGATIVE_INFINITY && inFlight > 0) {
                    logCost = Math.log(PENALTY_NANOS + inFlight) - logW[i]; // unmeasured and busy
                } else {
                    // Unmeasured and idle stays -infinity: cost 0, nothing beats it.
                    logCost = logEwma - now * invTau[i] + PeakEwma.log1p(inFlight) - logW[i];
                }
                long key = ScanKey.of(logCost, ScanKey.position(indices[i], cursor, n), mask);
                if (filter && ctx.excluded(b)) key = Long.MAX_VALUE;
                best = Math.min(best, key);
            }
            return best == Long.MAX_VALUE ? null : won(best, cursor);
        }
    
        private Backend won(long best, int cursor) {
            int n = bs.length;
            int winner = ScanKey.index(best, positionMask, cursor, n);
            ties.won(winner, n);
            return bs[winner];
        }
    }
}
