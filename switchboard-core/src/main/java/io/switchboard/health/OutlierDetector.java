package io.switchboard.health;

/**
 * Passive ejection with exponential back-off (Envoy's outlier detection, consecutive-failure
 * flavour): the n-th ejection in a row lasts {@code base * 2^(n-1)}, capped at {@code max}. A back end
 * that then stays healthy for {@code max} forgets its ejections. At most {@code maxEjectionPercent}
 * of a pool's back ends are ejected at once, and always at least one (Envoy's
 * {@code max_ejection_percent}): a pool-wide failure must not eject the whole pool. Pure decision.
 */
public record OutlierDetector(int consecutiveFailures, long baseEjectionNanos, long maxEjectionNanos, int maxEjectionPercent) {
    public OutlierDetector {
        if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
            throw new IllegalArgumentException("max-ejection-percent " + maxEjectionPercent + " out of range 0-100");
        }
    }

    /** No share limit: any number of back ends may be ejected at once. */
    public OutlierDetector(int consecutiveFailures, long baseEjectionNanos, long maxEjectionNanos) {
        this(consecutiveFailures, baseEjectionNanos, maxEjectionNanos, 100);
    }

    public boolean enabled() {
        return consecutiveFailures > 0;
    }

    public boolean shouldEject(int consecutive) {
        return enabled() && consecutive >= consecutiveFailures;
    }

    /**
     * Whether the data plane tells the pool's writer about a back end's run of {@code consecutive}
     * failures: at the threshold and at every multiple of it (a back end that comes back and fails
     * again is ejected again), so the writer sees one change per threshold, not one per request.
     */
    public boolean shouldReport(int consecutive) {
        return enabled() && consecutive > 0 && consecutive % consecutiveFailures == 0;
    }

    /** How many of a pool of {@code poolSize} back ends may be ejected at once: the share rounded down, at least one. */
    public int maxEjected(int poolSize) {
        return Math.max(1, (int) ((long) poolSize * maxEjectionPercent / 100));
    }

    /** Ejection time for the given 1-based ejection count. */
    public long ejectionNanos(int ejectionCount) {
        int shift = Math.min(Math.max(ejectionCount - 1, 0), 30);
        long d = baseEjectionNanos << shift;
        if (d < 0 || d > maxEjectionNanos) return maxEjectionNanos;
        return d;
    }
}
