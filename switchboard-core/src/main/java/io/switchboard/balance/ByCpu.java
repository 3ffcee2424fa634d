package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.load.LoadReport;

/** mod_backhand's byCPU: most CPU idle first (lowest reported CPU busy); back ends without the figure last. */
public record ByCpu() implements Candidacy.Order {
    @Override
    public double key(Backend b, LoadReport r) {
        return r == null || Double.isNaN(r.cpuBusy()) ? Double.POSITIVE_INFINITY : r.cpuBusy();
    }

    @Override
    public String word() {
        return "by-cpu";
    }
}
