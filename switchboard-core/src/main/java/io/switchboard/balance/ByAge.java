package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.load.LoadReport;
import java.time.Duration;
import java.util.Objects;

/**
 * mod_backhand's byAge: drops the back ends whose last report is older than {@code maxAge}, or that
 * never reported. A class rather than a record so that the age bound is kept in nanoseconds, as a
 * pick compares it.
 */
public final class ByAge implements Candidacy.Filter {
    private final Duration maxAge;
    private final long maxAgeNanos;

    public ByAge(Duration maxAge) {
        if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) throw new IllegalArgumentException("by-age needs a positive duration");
        this.maxAge = maxAge;
        this.maxAgeNanos = maxAge.toNanos();
    }

    public Duration maxAge() {
        return maxAge;
    }

    long maxAgeNanos() {
        return maxAgeNanos;
    }

    @Override
    public boolean keep(Backend b, LoadReport r, long nowNanos) {
        long at = b.reportNanos(); // the back end's copy of r.receivedNanos(): no second object read per candidate
        return at != Backend.NO_REPORT && nowNanos - at <= maxAgeNanos;
    }

    @Override
    public String word() {
        return "by-age " + (maxAge.toMillis() % 1000 == 0 ? maxAge.toSeconds() + "s" : maxAge.toMillis() + "ms");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByAge a && a.maxAge.equals(maxAge);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAge);
    }

    @Override
    public String toString() {
        return word();
    }
}
