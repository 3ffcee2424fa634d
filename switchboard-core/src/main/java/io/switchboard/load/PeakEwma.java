package io.switchboard.load;

/**
 * Peak-sensitive exponentially weighted moving average of latency (Finagle's PeakEwma; also
 * Envoy's and Linkerd's "fastest" metric). A sample above the current average replaces it at once,
 * so a back end that just got slow is avoided immediately; lower samples pull the average down
 * with weight {@code w = exp(-dt/tau)} given to the old value, so it recovers smoothly.
 *
 * <p>Between samples the cost decays toward zero as {@code c * exp(-(now - stamp) / tau)}, as in
 * Finagle, whose read observes a zero sample: a back end that got no traffic because it looked slow
 * becomes attractive again and gets re-measured, instead of starving forever.
 *
 * <p>The exponential decay lets a picker compare back ends without an {@code exp} or a division per
 * back end: {@code ln(cost(now)) = ln(c) + stamp/tau - now/tau}, and the first two terms do not
 * depend on {@code now}. The writer keeps them as {@link #logCostAtEpoch()} (the log of the cost
 * extrapolated back to nanos 0); a picker subtracts {@code now/tau} once per back end.
 *
 * <p>Threading: {@link #observe} is serialized on this object (a short critical section, called
 * once per completed request); the readers are lock-free and may see a value one sample old.
 */
public final class PeakEwma {
    public static final long DEFAULT_DECAY_NANOS = 10_000_000_000L; // 10 s, Finagle's default

    /** {@link #sampledCost()} before the first sample. Negative so one read tells "unmeasured" apart from a 0 ns sample. */
    public static final double UNMEASURED = -1.0;

    private final long decayNanos;
    private final double tauNanos;
    private final double inverseTau;
    private volatile double costNanos = UNMEASURED;
    private volatile long stampNanos;
    private volatile double logCostAtEpoch = Double.NEGATIVE_INFINITY;

    public PeakEwma(long decayNanos) {
        if (decayNanos <= 0) throw new IllegalArgumentException("decay must be positive");
        this.decayNanos = decayNanos;
        this.tauNanos = decayNanos;
        this.inverseTau = 1.0 / decayNanos;
    }

    public synchronized void observe(long rttNanos, long nowNanos) {
        double rtt = Math.max(0, rttNanos);
        double cost = costNanos;
        double next;
        if (cost < 0) {
            next = rtt;
        } else {
            double td = Math.max(nowNanos - stampNanos, 0);
            double w = Math.exp(-td / tauNanos);
            next = rtt > cost ? rtt : cost * w + rtt * (1.0 - w);
        }
        costNanos = next;
        stampNanos = nowNanos;
        // At least 1 ns, so the log is finite and -infinity keeps meaning "unmeasured".
        logCostAtEpoch = Math.log(Math.max(next, 1.0)) + nowNanos * inverseTau;
    }

    /** The decayed cost at {@code nowNanos}; 0 before the first sample. Lock-free. */
    public double cost(long nowNanos) {
        double c = costNanos;
        if (c < 0) return 0;
        long age = nowNanos - stampNanos;
        if (age <= 0) return c;
        return c * Math.exp(-age * inverseTau);
    }

    /**
     * {@code ln(max(c, 1 ns)) + stamp / tau} for the last sample c taken at {@code stamp}, i.e. the
     * log of the cost extrapolated back to nanos 0; {@code ln(cost(now)) = logCostAtEpoch() -
     * now * inverseDecay()}. Negative infinity before the first sample. Lock-free, one volatile read.
     */
    public double logCostAtEpoch() {
        return logCostAtEpoch;
    }

    /** 1 / tau, in 1/ns. */
    public double inverseDecay() {
        return inverseTau;
    }

    /** The cost as of the last sample, before decay, or {@link #UNMEASURED}. Lock-free. */
    public double sampledCost() {
        return costNanos;
    }

    /** When the last sample was taken (the caller's clock). */
    public long stampNanos() {
        return stampNanos;
    }

    public long decayNanos() {
        return decayNanos;
    }

    public boolean seeded() {
        return costNanos >= 0;
    }
}
