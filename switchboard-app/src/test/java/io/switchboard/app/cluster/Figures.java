package io.switchboard.app.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The failover figures of the network-namespace tests as a Markdown table (one row per scenario:
 * min, median and max outage over its runs, and the failed requests), printed into the test output
 * for the closing note. Figures only: the tests assert correctness, never durations.
 *
 * <p>Threading: not thread-safe; one per test class, used by the test's thread.
 */
final class Figures {
    private record Row(String scenario, List<ProbeLog.Failover> runs, String note) {}

    private final List<Row> rows = new ArrayList<>();

    void add(String scenario, List<ProbeLog.Failover> runs, String note) {
        rows.add(new Row(scenario, List.copyOf(runs), note));
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The median of {@code values} (the mean of the middle two for an even count); -1 when empty. */
    static long median(List<Long> values) {
        if (values.isEmpty()) return -1;
        List<Long> s = values.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    String table(String title) {
        StringBuilder b = new StringBuilder();
        b.append("\n### ").append(title).append("\n\n");
        b.append("| scenario | runs | served again after (ms) min / median / max | each run (ms) | failed in flight | failed after | note |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            List<Long> ok = r.runs().stream().filter(ProbeLog.Failover::recovered).map(ProbeLog.Failover::outageMillis).toList();
            long notServed = r.runs().size() - ok.size();
            String figures = ok.isEmpty() ? "-" : ok.stream().min(Comparator.naturalOrder()).orElseThrow() + " / " + median(ok)
                    + " / " + ok.stream().max(Comparator.naturalOrder()).orElseThrow();
            b.append("| ").append(r.scenario())
                    .append(" | ").append(r.runs().size()).append(notServed > 0 ? " (" + notServed + " never served again)" : "")
                    .append(" | ").append(figures)
                    .append(" | ").append(r.runs().stream().map(f -> f.recovered() ? Long.toString(f.outageMillis()) : "x").collect(Collectors.joining(" ")))
                    .append(" | ").append(r.runs().stream().mapToInt(ProbeLog.Failover::failedInFlight).sum())
                    .append(" | ").append(r.runs().stream().mapToInt(ProbeLog.Failover::failedAfter).sum())
                    .append(" | ").append(r.note()).append(" |\n");
        }
        return b.toString();
    }
}
