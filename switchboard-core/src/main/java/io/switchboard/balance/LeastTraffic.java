package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.load.WindowedCounter;

/**
 * Least traffic first (RFC 2391): the back end with the fewest bytes to or from it over the sliding
 * window ({@link io.switchboard.load.WindowedCounter}), divided by weight. In-flight requests count
 * as {@link #BYTES_PER_REQUEST} each, so a burst of new requests does not all land on the same idle
 * server before any byte is counted; remaining ties go to the first back end from a random offset.
 *
 * <p>Threading: the picker is immutable; it reads the back ends' live counters. The division by
 * weight is a multiplication by inverse weights computed once per snapshot, and the minimum is
 * found without data-dependent branches ({@link ScanKey}).
 */
public final class LeastTraffic implements Algorithm {
    /** What one in-flight request is assumed to weigh before its bytes are counted. */
    static final double BYTES_PER_REQUEST = 1024.0;

    @Override
    public boolean readsTraffic() {
        return true;
    }

    @Override
    public String name() {
        return "least-traffic";
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        return new P(set.eligible(), set.weights());
    }

    private static final class P implements Picker {
        final Backend[] bs;
        /** The back ends' traffic counters, index-aligned: one dependent load less per back end. */
        final WindowedCounter[] traffic;
        final double[] inverseWeight;
        final long positionMask;

        P(Backend[] bs, int[] ws) {
            this.bs = bs;
            this.positionMask = (1L << ScanKey.positionBits(bs.length)) - 1;
            this.traffic = new WindowedCounter[bs.length];
            this.inverseWeight = new double[ws.length];
            for (int i = 0; i < bs.length; i++) {
                traffic[i] = bs[i].traffic();
                inverseWeight[i] = 1.0 / Math.max(1, ws[i]);
            }
        }

        @Override
        public Backend pick(PickContext ctx) {
            Backend[] bs = this.bs;
            WindowedCounter[] traffic = this.traffic;
            double[] inv = this.inverseWeight;
            long mask = positionMask;
            int n = bs.length;
            boolean filter = !ctx.exclude().isEmpty();
            int off = n == 1 ? 0 : ctx.randomIndex(n);
            long now = ctx.nowNanos();
            long best = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                Backend b = bs[i];
                // Byte counts and in-flight are never negative (a negative one is a caller's bug and
                // then sorts first), so the raw bits order the scores.
                double score = (traffic[i].sum(now) + BYTES_PER_REQUEST * b.inFlight()) * inv[i];
                long key = ScanKey.ofNonNegative(score, ScanKey.position(i, off, mask), mask);
                if (filter && ctx.excluded(b)) key = Long.MAX_VALUE;
                best = Math.min(best, key);
            }
            return best == Long.MAX_VALUE ? null : bs[ScanKey.index(best, mask, off)];
        }
    }
}
