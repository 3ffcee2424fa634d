package io.switchboard.load;

import java.util.Objects;

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
 * <p>The "fastest" algorithm ranks back ends by Finagle's load, {@code cost * (inFlight + 1)}; its
 * log at epoch is {@link #logLoadAtEpoch(double, int)}, which the back end keeps up to date for
 * its pickers.
 *
 * <p>Threading: {@link #observe} is serialized on this object (a short critical section, called
 * once per completed request); the readers are lock-free and may see a value one sample old. The
 * change listener runs on the observing thread after each sample, outside the lock.
 */
public final class PeakEwma {
    public static final long DEFAULT_DECAY_NANOS = 10_000_000_000L; // 10 s, Finagle's default

    /** {@link #sampledCost()} before the first sample. Negative so one read tells "unmeasured" apart from a 0 ns sample. */
    public static final double UNMEASURED = -1.0;

    private static final Runnable NO_LISTENER = () -> {};

    /** ln(k + 1) for small in-flight counts k. */
    private static final double[] LOG1P = new double[1024];

    static {
        for (int k = 0; k < LOG1P.length; k++) LOG1P[k] = Math.log1p(k);
    }

    private final double tauNanos;
    private final double inverseTau;
    private final Runnable onChange;
    private volatile double costNanos = UNMEASURED;
    private volatile long stampNanos;
    private volatile double logCostAtEpoch = Double.NEGATIVE_INFINITY;

    public PeakEwma(long decayNanos) {
        this(decayNanos, NO_LISTENER);
    }

    /** {@code onChange} is called after every {@link #observe} (the back end uses it to keep its fastest score up to date). */
    public PeakEwma(long decayNanos, Runnable onChange) {
        if (decayNanos <= 0) throw new IllegalArgumentException("decay must be positive");
        this.tauNanos = decayNanos;
        this.inverseTau = 1.0 / decayNanos;
        this.onChange = Objects.requireNonNull(onChange, "onChange");
    }

    /**
     * {@code ln(k + 1)} for an in-flight count k, from a table for small k; a negative count (a
     * caller's bug) counts as 0.
     */
    public static double log1p(int k) {
        return (k & ~(LOG1P.length - 1)) == 0 ? LOG1P[k] : Math.log1p(Math.max(k, 0));
    }

    /**
     * The log of Finagle's load {@code cost * (inFlight + 1)}, extrapolated back to nanos 0 as
     * {@link #logCostAtEpoch()} is: {@code logCostAtEpoch + ln(inFlight + 1)}, so that {@code ln load(now)
     * = logLoadAtEpoch - now / tau}. An unmeasured back end ({@code logCostAtEpoch} is -infinity) gives
     * -infinity while idle and +infinity while it has requests in flight: the caller decides what
     * those cost (the fastest algorithm: nothing, and a penalty).
     */
    public static double logLoadAtEpoch(double logCostAtEpoch, int inFlight) {
        if (logCostAtEpoch == Double.NEGATIVE_INFINITY) {
            return inFlight > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        return logCostAtEpoch + log1p(inFlight);
    }

    public void observe(long rttNanos, long nowNanos) {
        record(rttNanos, nowNanos);
        onChange.run();
    }

    private synchronized void record(long rttNanos, long nowNanos) {
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
}
