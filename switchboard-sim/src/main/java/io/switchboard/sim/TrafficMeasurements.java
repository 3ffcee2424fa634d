package io.switchboard.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one traffic run measures, and the {@link RunResult} it comes to: requests and their
 * outcomes, latencies, the shares of requests each server group and the busiest server were sent,
 * cache hits, resolver queries, ejections, and a row of the time series per interval. Counts start
 * when the warm-up ends; latencies are recorded per interval and added to the run's total at each
 * sample.
 *
 * <p>Threading: confined to one engine's thread.
 */
final class TrafficMeasurements {
    private static final long MAX_LATENCY = 3_600_000_000_000L;

    private final Scenario scenario;
    private final long warmup;
    private final long end;
    private final Histogram latency = new Histogram(MAX_LATENCY, 2);
    private final Histogram intervalLatency = new Histogram(MAX_LATENCY, 2);
    private long arrived, ok, failed, rejected, attemptsFailed, cacheHits, cacheLookups;
    private final long[] groupDispatched;
    private final long[] serverDispatched;
    private final long[] intervalServerDispatched;
    private double busiestIntervalShareMax;
    private long resolverQueries;
    private double busiestIntervalShareSum;
    private int intervals;
    private final long[] intervalGroupDispatched;
    private long intervalCompleted;
    private int ejections;
    private final List<double[]> series = new ArrayList<>();

    TrafficMeasurements(Scenario scenario) {
        this.scenario = scenario;
        this.warmup = scenario.traffic().warmupNanos();
        this.end = scenario.traffic().durationNanos();
        int n = scenario.serverCount();
        groupDispatched = new long[scenario.servers().size()];
        serverDispatched = new long[n];
        intervalServerDispatched = new long[n];
        intervalGroupDispatched = new long[groupDispatched.length];
    }

    void arrived(long now) {
        if (now >= warmup) arrived++;
    }

    /** A request failed for its client (after its retries, or every address of its resolver failed it). */
    void failed(long now) {
        if (now >= warmup) failed++;
    }

    /** The pool refused a request (no eligible back end, or every one at max-connections). */
    void rejected(long now) {
        if (now >= warmup) rejected++;
    }

    /** One attempt failed (a refused connection, a full server queue); the request may be retried. */
    void attemptFailed(long now) {
        if (now >= warmup) attemptsFailed++;
    }

    void resolverQueried(long now) {
        if (now >= warmup) resolverQueries++;
    }

    void cacheLookup(long now, boolean hit) {
        if (now >= warmup) {
            cacheLookups++;
            if (hit) cacheHits++;
        }
    }

    /** A request was sent to server {@code s} of group {@code g}. */
    void dispatched(long now, int s, int g) {
        if (now >= warmup) {
            groupDispatched[g]++;
            serverDispatched[s]++;
            intervalServerDispatched[s]++;
            intervalGroupDispatched[g]++;
        }
    }

    /** A request was answered, {@code latencyNanos} after it arrived. */
    void completed(long now, long latencyNanos) {
        if (now >= warmup) {
            ok++;
            long l = Math.min(latencyNanos, MAX_LATENCY);
            intervalLatency.recordValue(l); // added to the run's total once per interval
            intervalCompleted++;
        }
    }

    /** A back end went down (the pool's transition), whatever the time. */
    void ejected() {
        ejections++;
    }

    /** The end of an interval of {@code interval} nanoseconds: a row of the time series once warm, and a new interval. */
    void sample(long now, long interval) {
        if (now > warmup) {
            int groups = groupDispatched.length;
            double[] row = new double[4 + groups];
            row[0] = now / 1e9;
            row[1] = intervalCompleted * 1e9 / interval;
            row[2] = intervalLatency.getTotalCount() == 0 ? Double.NaN : intervalLatency.getValueAtPercentile(99) / 1e6;
            long total = 0;
            for (long d : intervalGroupDispatched) total += d;
            for (int g = 0; g < groups; g++) row[3 + g] = total == 0 ? 0 : (double) intervalGroupDispatched[g] / total;
            long most = 0;
            for (long d : intervalServerDispatched) most = Math.max(most, d);
            double busiest = total == 0 ? 0 : (double) most / total;
            row[3 + groups] = busiest;
            busiestIntervalShareMax = Math.max(busiestIntervalShareMax, busiest);
            busiestIntervalShareSum += busiest;
            intervals++;
            series.add(row);
        }
        latency.add(intervalLatency);
        intervalLatency.reset();
        intervalCompleted = 0;
        Arrays.fill(intervalGroupDispatched, 0);
        Arrays.fill(intervalServerDispatched, 0);
    }

    /** The run is over: the last, partial interval's latencies count. */
    void endOfRun() {
        latency.add(intervalLatency);
        intervalLatency.reset();
    }

    RunResult result(String algorithmName) {
        long measured = end - warmup;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("requests", (double) arrived);
        m.put("ok", (double) ok);
        m.put("failed", (double) failed);
        m.put("rejected", (double) rejected);
        m.put("failed-attempts", (double) attemptsFailed);
        m.put("throughput-per-s", ok * 1e9 / measured);
        boolean any = latency.getTotalCount() > 0;
        m.put("latency-mean-ms", any ? latency.getMean() / 1e6 : Double.NaN);
        m.put("latency-p50-ms", any ? latency.getValueAtPercentile(50) / 1e6 : Double.NaN);
        m.put("latency-p99-ms", any ? latency.getValueAtPercentile(99) / 1e6 : Double.NaN);
        m.put("latency-p999-ms", any ? latency.getValueAtPercentile(99.9) / 1e6 : Double.NaN);
        long total = 0;
        for (long d : groupDispatched) total += d;
        for (int g = 0; g < groupDispatched.length; g++) {
            m.put("share-" + scenario.servers().get(g).name(), total == 0 ? 0 : (double) groupDispatched[g] / total);
        }
        long most = 0;
        for (long d : serverDispatched) most = Math.max(most, d);
        m.put("busiest-server-share", total == 0 ? 0 : (double) most / total);
        // what NCSA saw: in one interval, one server answering most requests
        m.put("busiest-interval-share-mean", intervals == 0 ? Double.NaN : busiestIntervalShareSum / intervals);
        m.put("busiest-interval-share-max", busiestIntervalShareMax);
        if (scenario.resolvers() != null) m.put("resolver-queries", (double) resolverQueries);
        m.put("ejections", (double) ejections);
        if (cacheLookups > 0) m.put("cache-hit-rate", (double) cacheHits / cacheLookups);
        List<String> columns = new ArrayList<>(List.of("time-s", "throughput-per-s", "p99-ms"));
        for (Scenario.ServerGroup g : scenario.servers()) columns.add("share-" + g.name());
        columns.add("busiest-share");
        return new RunResult(algorithmName, m, columns, List.copyOf(series));
    }
}
