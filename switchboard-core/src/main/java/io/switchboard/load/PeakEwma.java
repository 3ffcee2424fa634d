package io.switchboard.load;

/**
 * Peak-sensitive exponentially weighted moving average of latency (Finagle's PeakEwma; also
 * Envoy's and Linkerd's "fastest" metric). A sample above the current average replaces it at once,
 * so a back end that just got slow is avoided immediately; lower samples pull the average down
 * with weight {@code w = exp(-dt/tau)} given to the old value, so it recovers smoothly.
 *
 * <p>Reading decays the value toward zero for the time since the last sample with the rational
 * approximation {@code cost * tau / (tau + age)} (no {@code exp} on the hot path): a back end that
 * got no traffic because it looked slow becomes attractive again and gets re-measured, instead of
 * starving forever.
 *
 * <p>Threading: {@link #observe} is serialized on this object (a short critical section, called
 * once per completed request); {@link #cost} is lock-free and may see a value one sample old.
 */
public final class PeakEwma {
    public static final long DEFAULT_DECAY_NANOS = 10_000_000_000L; // 10 s, Finagle's default

    private final double tauNanos;
    private volatile double costNanos;
    private volatile long stampNanos;
    private volatile boolean seeded;

    public PeakEwma(long decayNanos) {
        if (decayNanos <= 0) throw new IllegalArgumentException("decay must be positive");
        this.tauNanos = decayNanos;
    }

    public synchronized void observe(long rttNanos, long nowNanos) {
        double rtt = Math.max(0, rttNanos);
        if (!seeded) {
            costNanos = rtt;
            stampNanos = nowNanos;
            seeded = true;
            return;
        }
        double td = Math.max(nowNanos - stampNanos, 0);
        double w = Math.exp(-td / tauNanos);
        double cost = costNanos;
        costNanos = rtt > cost ? rtt : cost * w + rtt * (1.0 - w);
        stampNanos = nowNanos;
    }

    /** The decayed cost at {@code nowNanos}; 0 before the first sample. Lock-free. */
    public double cost(long nowNanos) {
        double c = costNanos;
        long age = nowNanos - stampNanos;
        if (age <= 0) return c;
        return c * tauNanos / (tauNanos + age);
    }

    public boolean seeded() {
        return seeded;
    }
}
