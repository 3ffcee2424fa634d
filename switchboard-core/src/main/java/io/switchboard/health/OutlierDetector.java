package io.switchboard.health;

/**
 * Passive ejection with exponential back-off (Envoy's outlier detection, consecutive-failure
 * flavour): the n-th ejection in a row lasts {@code base * 2^(n-1)}, capped at {@code max}. A back end
 * that then stays healthy for {@code max} forgets its ejections. Pure decision.
 */
public record OutlierDetector(int consecutiveFailures, long baseEjectionNanos, long maxEjectionNanos) {
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

    /** Ejection time for the given 1-based ejection count. */
    public long ejectionNanos(int ejectionCount) {
        int shift = Math.min(Math.max(ejectionCount - 1, 0), 30);
        long d = baseEjectionNanos << shift;
        if (d < 0 || d > maxEjectionNanos) return maxEjectionNanos;
        return d;
    }
}
