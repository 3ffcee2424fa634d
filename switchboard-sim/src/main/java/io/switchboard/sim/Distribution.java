package io.switchboard.sim;

import java.util.random.RandomGenerator;

/**
 * A distribution of durations (service times, think times, inter-arrival gaps), sampled in
 * nanoseconds from the engine's seeded generator. Immutable.
 */
public sealed interface Distribution {
    /** One sample, in nanoseconds, at least 0. */
    long sample(RandomGenerator random);

    /** The mean, in nanoseconds. */
    double mean();

    /** The scenario-file word for this distribution. */
    String word();

    /** Every sample is the mean. */
    record Constant(long nanos) implements Distribution {
        public Constant {
            if (nanos < 0) throw new IllegalArgumentException("a duration must not be negative");
        }

        @Override public long sample(RandomGenerator random) { return nanos; }
        @Override public double mean() { return nanos; }
        @Override public String word() { return "constant"; }
    }

    /** Memoryless: the M of M/M/c. */
    record Exponential(double meanNanos) implements Distribution {
        public Exponential {
            if (!(meanNanos > 0)) throw new IllegalArgumentException("the mean must be more than 0");
        }

        @Override
        public long sample(RandomGenerator random) {
            // the JDK's ziggurat: about a fifth of the cost of -mean * ln(u)
            return (long) (meanNanos * random.nextExponential());
        }

        @Override public double mean() { return meanNanos; }
        @Override public String word() { return "exponential"; }
    }

    /**
     * Log-normal with the given mean and coefficient of variation (sd / mean): mu and sigma of the
     * underlying normal follow from sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2.
     */
    record LogNormal(double meanNanos, double cv) implements Distribution {
        public LogNormal {
            if (!(meanNanos > 0)) throw new IllegalArgumentException("the mean must be more than 0");
            if (!(cv > 0)) throw new IllegalArgumentException("cv must be more than 0");
        }

        @Override
        public long sample(RandomGenerator random) {
            double s2 = Math.log(1 + cv * cv);
            double mu = Math.log(meanNanos) - s2 / 2;
            return (long) Math.exp(mu + Math.sqrt(s2) * random.nextGaussian());
        }

        @Override public double mean() { return meanNanos; }
        @Override public String word() { return "lognormal"; }
    }

    /**
     * Pareto (heavy tail, the shape of web file sizes) with the given mean and shape alpha > 1:
     * scale x_m = mean (alpha - 1) / alpha; a sample is x_m / u^(1/alpha).
     */
    record Pareto(double meanNanos, double alpha) implements Distribution {
        public Pareto {
            if (!(meanNanos > 0)) throw new IllegalArgumentException("the mean must be more than 0");
            if (!(alpha > 1)) throw new IllegalArgumentException("alpha must be more than 1 (else the mean is infinite)");
        }

        @Override
        public long sample(RandomGenerator random) {
            double xm = meanNanos * (alpha - 1) / alpha;
            double v = xm / Math.pow(1.0 - random.nextDouble(), 1 / alpha);
            return v >= Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 4 : (long) v;
        }

        @Override public double mean() { return meanNanos; }
        @Override public String word() { return "pareto"; }
    }
}
