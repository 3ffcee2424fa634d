package io.switchboard.admin.stats;

/**
 * One back end's recent history, sampled once a second: requests per second, p99 latency and
 * requests in flight for the dashboard's sparklines, and enough cumulative histogram snapshots to
 * give percentiles over the last {@link #WINDOW_SECONDS} seconds.
 *
 * <p>Threading: confined to the admin worker thread (the {@link Sampler}'s).
 */
public final class Series {
    /** Points kept for sparklines. */
    public static final int POINTS = 60;
    /** Percentiles in the API are over this many seconds (or since the back end was first seen, when less). */
    public static final int WINDOW_SECONDS = 60;

    private final int slots = WINDOW_SECONDS + 1;
    private final long[][] buckets = new long[slots][LatencyHistogram.buckets()];
    private final long[] ticks = new long[slots];
    private int newest = -1;
    private int count;

    private final double[] rps = new double[POINTS];
    private final double[] p99Millis = new double[POINTS];
    private final int[] inFlight = new int[POINTS];
    private int points;
    private int pointHead; // next write position

    private final long[] scratch = new long[LatencyHistogram.buckets()];

    /** Takes one sample of {@code t}'s counters at {@code nowNanos}; {@code inFlightNow} is the back end's live count. */
    void sample(BackendTraffic t, int inFlightNow, long nowNanos) {
        int slot = (newest + 1) % slots;
        t.latency().snapshot(buckets[slot]);
        ticks[slot] = nowNanos;
        int previous = newest;
        newest = slot;
        if (count < slots) count++;
        if (count < 2) return; // the first sample is a baseline only
        double seconds = Math.max(1e-3, (nowNanos - ticks[previous]) / 1e9);
        long n = 0;
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = buckets[slot][i] - buckets[previous][i];
            n += scratch[i];
        }
        rps[pointHead] = n / seconds;
        p99Millis[pointHead] = LatencyHistogram.quantile(scratch, 0.99) * 1000;
        inFlight[pointHead] = inFlightNow;
        pointHead = (pointHead + 1) % POINTS;
        if (points < POINTS) points++;
    }

    /** Requests per second over the last sampling interval; 0 before two samples. */
    public double rps() {
        return points == 0 ? 0 : rps[(pointHead - 1 + POINTS) % POINTS];
    }

    /** Oldest first. */
    public double[] rpsSeries() {
        double[] out = new double[points];
        for (int i = 0; i < points; i++) out[i] = rps[(pointHead - points + i + POINTS) % POINTS];
        return out;
    }

    /** Oldest first; NaN for a second without requests. */
    public double[] p99MillisSeries() {
        double[] out = new double[points];
        for (int i = 0; i < points; i++) out[i] = p99Millis[(pointHead - points + i + POINTS) % POINTS];
        return out;
    }

    /** Oldest first. */
    public int[] inFlightSeries() {
        int[] out = new int[points];
        for (int i = 0; i < points; i++) out[i] = inFlight[(pointHead - points + i + POINTS) % POINTS];
        return out;
    }

    /** Latency over the window: per-bucket counts of the requests that finished in it. */
    public Window window() {
        if (count < 2) return new Window(0, 0, Double.NaN, Double.NaN, Double.NaN);
        int oldest = (newest - (count - 1) + slots) % slots;
        long[] d = new long[LatencyHistogram.buckets()];
        long n = 0;
        for (int i = 0; i < d.length; i++) {
            d[i] = buckets[newest][i] - buckets[oldest][i];
            n += d[i];
        }
        double seconds = (ticks[newest] - ticks[oldest]) / 1e9;
        return new Window(seconds, n, LatencyHistogram.quantile(d, 0.5) * 1000, LatencyHistogram.quantile(d, 0.9) * 1000,
                LatencyHistogram.quantile(d, 0.99) * 1000);
    }

    /** Latency percentiles in milliseconds over {@code seconds}; NaN when no request finished in it. */
    public record Window(double seconds, long requests, double p50Millis, double p90Millis, double p99Millis) {}
}
