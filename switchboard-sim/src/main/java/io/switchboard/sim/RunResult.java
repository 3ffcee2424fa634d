package io.switchboard.sim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run measured: named figures in a fixed order, and optionally a time series (one row
 * per interval, columns named by {@code columns}). Immutable once built.
 *
 * @param algorithm the core algorithm the run used
 * @param point     the sweep value of the run (NaN without a sweep)
 */
public record RunResult(String algorithm, double point, Map<String, Double> metrics, List<String> columns,
                        List<double[]> series) {
    public RunResult(String algorithm, Map<String, Double> metrics, List<String> columns, List<double[]> series) {
        this(algorithm, Double.NaN, metrics, columns, series);
    }

    public RunResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        columns = List.copyOf(columns);
        series = List.copyOf(series);
    }

    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) throw new IllegalArgumentException("no figure '" + name + "' (has: " + String.join(", ", metrics.keySet()) + ")");
        return v;
    }

    /** The same figures, labelled with the sweep value they were measured at. */
    public RunResult at(double sweepValue) {
        return new RunResult(algorithm, sweepValue, metrics, columns, series);
    }
}
