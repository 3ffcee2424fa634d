package io.switchboard.config;

import java.math.BigInteger;

/**
 * A number as written in a config value ({@code 12}, {@code 1.25}) times a whole unit, kept exactly
 * as {@code numerator / 10^scale}, for {@link DurationSyntax} and {@link SizeSyntax}. Not
 * {@link java.math.BigDecimal}: on JDK 25 its class initialisation computes 5^65536, about 20 ms of
 * every start that reads a duration (async-profiler, bench/RESULTS.md session 12); BigInteger's is
 * cheap.
 *
 * <p>Immutable; thread-safe.
 */
record ExactDecimal(BigInteger numerator, int scale) {
    static final ExactDecimal ZERO = new ExactDecimal(BigInteger.ZERO, 0);

    /** {@code decimal}: digits with at most one '.' between digits (the callers' patterns ensure it). */
    static ExactDecimal of(String decimal, long unit) {
        int dot = decimal.indexOf('.');
        String digits = dot < 0 ? decimal : decimal.substring(0, dot) + decimal.substring(dot + 1);
        return new ExactDecimal(new BigInteger(digits).multiply(BigInteger.valueOf(unit)), dot < 0 ? 0 : decimal.length() - dot - 1);
    }

    ExactDecimal plus(ExactDecimal o) {
        int s = Math.max(scale, o.scale);
        return new ExactDecimal(scaled(s).add(o.scaled(s)), s);
    }

    private BigInteger scaled(int to) {
        return to == scale ? numerator : numerator.multiply(BigInteger.TEN.pow(to - scale));
    }

    boolean isWhole() {
        return scale == 0 || numerator.mod(BigInteger.TEN.pow(scale)).signum() == 0;
    }

    boolean exceeds(long max) {
        return numerator.compareTo(BigInteger.valueOf(max).multiply(BigInteger.TEN.pow(scale))) > 0;
    }

    /** The whole part (exact when {@link #isWhole()}); only when not {@link #exceeds} Long.MAX_VALUE. */
    long whole() {
        return numerator.divide(BigInteger.TEN.pow(scale)).longValueExact();
    }
}
