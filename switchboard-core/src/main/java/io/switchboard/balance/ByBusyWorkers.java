package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.load.LoadReport;

/** mod_backhand's byBusyChildren: fewest busy web-server workers first; back ends without the figure last. */
public record ByBusyWorkers() implements Candidacy.Order {
    @Override
    public double key(Backend b, LoadReport r) {
        return r == null || r.busyWorkers() < 0 ? Double.POSITIVE_INFINITY : r.busyWorkers();
    }

    @Override
    public String word() {
        return "by-busy-workers";
    }
}
