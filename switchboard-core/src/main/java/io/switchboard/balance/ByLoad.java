package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.load.LoadReport;

/**
 * mod_backhand's byLoad: least loaded first, by the reported 1-minute load average per CPU (the CPU
 * busy fraction when the report has no load average); back ends without a report last.
 */
public record ByLoad() implements Candidacy.Order {
    @Override
    public double key(Backend b, LoadReport report) {
        return b.reportLoad(); // Candidacy.reportedLoad(report), kept on the back end
    }

    @Override
    public String word() {
        return "by-load";
    }
}
