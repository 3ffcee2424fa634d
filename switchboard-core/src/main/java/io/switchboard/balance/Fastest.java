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
 * {@code ln cost = ln(ewma(now)) + ln(inFlight + 1) - ln(w)}, where {@code ln(ewma(now))} is
 * {@link PeakEwma#logCostAtEpoch()} minus {@code now / tau} (a multiplication), {@code ln(inFlight + 1)}
 * comes from a table and {@code ln(w)} is computed per snapshot. No division, no {@code exp}, no
 * data-dependent branch per back end ({@link ScanKey}).
 *
 * <p>Threading: the picker is immutable; it reads the back ends' live counters.
 */
public final class Fastest implements Algorithm {
    /** Cost of an unmeasured back end with requests in flight (Finagle: Long.MaxValue >> 16 ns, ~39 h). */
    static final double PENALTY_NANOS = (double) (Long.MAX_VALUE >> 16);

    /** ln(k + 1) for small in-flight counts k. */
    private static final double[] LOG1P = new double[1024];

    static {
        for (int k = 0; k < LOG1P.length; k++) LOG1P[k] = Math.log1p(k);
    }

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
        return new P(set.eligible(), set.weights());
    }

    private static double log1p(int k) {
        return (k & ~(LOG1P.length - 1)) == 0 ? LOG1P[k] : Math.log1p(Math.max(k, 0));
    }

    private static final class P implements Picker {
        final Backend[] bs;
        /** The back ends' latency averages, index-aligned: one dependent load less per back end. */
        final PeakEwma[] ewmas;
        /** 1 / tau of each average (final in PeakEwma, so it can be copied here). */
        final double[] inverseDecay;
        final double[] logWeight;
        final long positionMask;

        P(Backend[] bs, int[] ws) {
            this.bs = bs;
            int n = bs.length;
            this.positionMask = (1L << ScanKey.positionBits(n)) - 1;
            this.ewmas = new PeakEwma[n];
            this.inverseDecay = new double[n];
            this.logWeight = new double[n];
            for (int i = 0; i < n; i++) {
                ewmas[i] = bs[i].latency();
                inverseDecay[i] = ewmas[i].inverseDecay();
                logWeight[i] = Math.log(Math.max(1, ws[i]));
            }
        }

        @Override
        public Backend pick(PickContext ctx) {
            Backend[] bs = this.bs;
            PeakEwma[] ewmas = this.ewmas;
            double[] invTau = this.inverseDecay;
            double[] logW = this.logWeight;
            long mask = positionMask;
            int n = bs.length;
            boolean filter = !ctx.exclude().isEmpty();
            int off = n == 1 ? 0 : ctx.randomIndex(n);
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
                    logCost = logEwma - now * invTau[i] + log1p(inFlight) - logW[i];
                }
                long key = ScanKey.of(logCost, ScanKey.position(i, off, mask), mask);
                if (filter && ctx.excluded(b)) key = Long.MAX_VALUE;
                best = Math.min(best, key);
            }
            return best == Long.MAX_VALUE ? null : bs[ScanKey.index(best, mask, off)];
        }
    }
}
