package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.load.LoadReport;
import java.time.Duration;

/** mod_backhand's byAge: drops the back ends whose last report is older than {@code maxAge}, or that never reported. */
public record ByAge(Duration maxAge) implements Candidacy.Filter {
    public ByAge {
        if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) throw new IllegalArgumentException("by-age needs a positive duration");
    }

    @Override
    public boolean keep(Backend b, long nowNanos) {
        LoadReport r = b.loadReport();
        return r != null && r.ageNanos(nowNanos) <= maxAge.toNanos();
    }

    @Override
    public String word() {
        return "by-age " + (maxAge.toMillis() % 1000 == 0 ? maxAge.toSeconds() + "s" : maxAge.toMillis() + "ms");
    }
}
