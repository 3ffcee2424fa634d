package io.switchboard.admin.stats;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request durations in fixed buckets, from 100 µs to 60 s at 1, 1.5, 2, 3, 5 and 7 per decade, plus
 * one bucket above 60 s. The same buckets feed the Prometheus histogram (cumulative, as
 * {@code le} buckets) and the dashboard's percentiles (from the difference of two snapshots).
 *
 * <p>Percentiles are estimated as Prometheus' {@code histogram_quantile} does: find the bucket the
 * rank falls in and interpolate linearly between its bounds. With six buckets per decade the
 * estimate is within half a bucket, i.e. within about 25% of the true value.
 *
 * <p>Threading: {@link #record} is called by any event loop (one {@link LongAdder} increment per
 * call, no lock); {@link #snapshot} by any thread, and is consistent enough for monitoring (a
 * record racing with a snapshot may be counted in the bucket but not yet in the sum).
 */
public final class LatencyHistogram {
    /** Upper bounds in seconds; the last bucket (above the last bound) is +Inf. */
    private static final double[] BOUNDS_SECONDS;
    private static final long[] BOUNDS_MICROS;

    static {
        String[] mult = {"1", "1.5", "2", "3", "5", "7"};
        double[] b = new double[35];
        int n = 0;
        for (int exp = -4; exp <= 0; exp++) {
            for (String m : mult) b[n++] = Double.parseDouble(m + "e" + exp);
        }
        for (String s : new String[] {"10", "15", "20", "30", "60"}) b[n++] = Double.parseDouble(s);
        BOUNDS_SECONDS = Arrays.copyOf(b, n);
        BOUNDS_MICROS = new long[n];
        for (int i = 0; i < n; i++) BOUNDS_MICROS[i] = Math.round(BOUNDS_SECONDS[i] * 1e6);
    }

    private final LongAdder[] counts = new LongAdder[BOUNDS_SECONDS.length + 1];
    private final LongAdder sumMicros = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
    }

    /** The finite upper bounds in seconds (a copy). */
    public static double[] boundsSeconds() {
        return BOUNDS_SECONDS.clone();
    }

    /** Number of buckets, including the +Inf one. */
    public static int buckets() {
        return BOUNDS_SECONDS.length + 1;
    }

    public void record(long micros) {
        long v = Math.max(0, micros);
        int i = Arrays.binarySearch(BOUNDS_MICROS, v);
        // le semantics: a value equal to a bound belongs to that bound's bucket
        int bucket = i >= 0 ? i : -i - 1;
        counts[bucket].increment();
        sumMicros.add(v);
    }

    /** Per-bucket (not cumulative) counts into {@code into}, which has {@link #buckets()} slots; returns the sum in µs. */
    public long snapshot(long[] into) {
        for (int i = 0; i < counts.length; i++) into[i] = counts[i].sum();
        return sumMicros.sum();
    }

    /**
     * The q-quantile (0 < q <= 1) in seconds of the observations counted in {@code perBucket}, or
     * NaN when there are none. An answer in the +Inf bucket is reported as the last finite bound.
     */
    public static double quantile(long[] perBucket, double q) {
        long total = 0;
        for (long c : perBucket) total += c;
        if (total == 0) return Double.NaN;
        double rank = q * total;
        long before = 0;
        for (int i = 0; i < perBucket.length; i++) {
            long c = perBucket[i];
            if (c > 0 && before + c >= rank) {
                if (i == BOUNDS_SECONDS.length) return BOUNDS_SECONDS[i - 1];
                double lower = i == 0 ? 0 : BOUNDS_SECONDS[i - 1];
                double upper = BOUNDS_SECONDS[i];
                return lower + (upper - lower) * ((rank - before) / c);
            }
            before += c;
        }
        return BOUNDS_SECONDS[BOUNDS_SECONDS.length - 1];
    }
}
