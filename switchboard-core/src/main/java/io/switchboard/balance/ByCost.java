package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.load.LoadReport;

/**
 * mod_backhand's byCost, as the stale-report correction: least request cost dispatched since the
 * back end's last report first ({@link Backend#costSinceReport()}; every back end has the figure).
 */
public record ByCost() implements Candidacy.Order {
    @Override
    public double key(Backend b, LoadReport report) {
        return b.costSinceReport();
    }

    @Override
    public String word() {
        return "by-cost";
    }
}
