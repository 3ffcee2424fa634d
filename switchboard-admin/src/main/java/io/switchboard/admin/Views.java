package io.switchboard.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.switchboard.admin.stats.BackendTraffic;
import io.switchboard.admin.stats.Sampler;
import io.switchboard.admin.stats.Series;
import io.switchboard.admin.stats.Traffic;
import io.switchboard.backend.Backend;
import io.switchboard.backend.Member;
import io.switchboard.cluster.ClusterStatus;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.persist.StickTable;
import io.switchboard.registry.Pool;
import io.switchboard.registry.Transition;
import java.time.Instant;
import java.util.ArrayList;
import io.switchboard.route.Router;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The JSON the admin API answers with, one record per schema of {@code docs/admin-api.yaml}; keep
 * the two in step (the OpenAPI test checks live answers against the file).
 *
 * <p>Threading: built on the admin worker thread from pool snapshots and counters; immutable.
 */
public final class Views {
    private Views() {}

    @JsonPropertyOrder({"version", "time", "uptimeSeconds", "configFile", "changesEnabled", "listeners", "pools"})
    public record Overview(String version, String time, long uptimeSeconds, String configFile, boolean changesEnabled,
                           List<ListenerView> listeners, List<PoolView> pools) {}

    public record ListenerView(String name, String address, int port, String defaultPool, List<RouteView> routes) {}

    /** One route of a listener, in order; the last row of a listener with routes is the default. */
    @JsonPropertyOrder({"name", "conditions", "action", "hits"})
    public record RouteView(String name, String conditions, String action, long hits) {
        static RouteView of(Router.RuleStats s) {
            return new RouteView(s.name(), s.conditions(), s.action(), s.hits());
        }
    }

    @JsonPropertyOrder({"name", "algorithm", "version", "size", "eligible", "panic", "inFlight", "queued", "queuedByClass",
            "requests", "noBackend", "rps", "statusClasses", "backends", "history"})
    public record PoolView(String name, String algorithm, long version, int size, int eligible, boolean panic, int inFlight,
                           int queued, Map<String, Integer> queuedByClass, long requests, long noBackend, double rps, StatusClasses statusClasses,
                           List<BackendView> backends, List<TransitionView> history) {}

    @JsonPropertyOrder({"name", "address", "state", "admin", "weight", "effectiveWeight", "cause", "inFlight", "requests",
            "dispatched", "failures", "retries", "ejections", "statusClasses", "bytesIn", "bytesOut", "rps", "latency",
            "series", "history", "loadReport"})
    public record BackendView(String name, String address, String state, String admin, int weight, int effectiveWeight,
                              String cause, int inFlight, long requests, long dispatched, long failures, long retries,
                              long ejections, StatusClasses statusClasses, long bytesIn, long bytesOut, double rps,
                              LatencyView latency, SeriesView series, List<TransitionView> history,
                              LoadReportView loadReport) {}

    /**
     * The back end's latest load report (pushed or pulled agent-check), as it arrived; null fields are
     * figures the agent did not give. {@code ageMillis} is measured by the balancer's clock from when
     * it was received; readers ignore a report older than {@code load-reports.max-age}, so an old one
     * here is shown, not used. {@code costSinceReport}: request cost dispatched here since it arrived.
     */
    @JsonPropertyOrder({"ageMillis", "sequence", "state", "weightPercent", "maxConn", "cpuBusy", "load1", "cpus", "runnable",
            "memAvailable", "tcpConnections", "busyWorkers", "idleWorkers", "costSinceReport"})
    public record LoadReportView(long ageMillis, long sequence, String state, Integer weightPercent, Integer maxConn,
                                 Double cpuBusy, Double load1, Integer cpus, Integer runnable, Long memAvailable,
                                 Integer tcpConnections, Integer busyWorkers, Integer idleWorkers, long costSinceReport) {
        static LoadReportView of(Backend b, long nowNanos) {
            LoadReport r = b.loadReport();
            if (r == null) return null;
            return new LoadReportView(TimeUnit.NANOSECONDS.toMillis(Math.max(0, r.ageNanos(nowNanos))), r.sequence(),
                    r.state() == AgentState.NONE ? null : r.state().word(), known(r.weightPercent()), known(r.maxConn()),
                    Double.isNaN(r.cpuBusy()) ? null : round(r.cpuBusy(), 3), Double.isNaN(r.load1()) ? null : round(r.load1(), 2),
                    known(r.cpus()), known(r.runnable()), r.memAvailable() < 0 ? null : r.memAvailable(),
                    known(r.tcpConnections()), known(r.busyWorkers()), known(r.idleWorkers()), b.costSinceReport());
        }

        private static Integer known(int v) {
            return v < 0 ? null : v;
        }
    }

    /** Finished requests by status class; "other" counts exchanges that ended without a response. */
    @JsonPropertyOrder({"1xx", "2xx", "3xx", "4xx", "5xx", "other"})
    public record StatusClasses(@JsonProperty("1xx") long c1, @JsonProperty("2xx") long c2, @JsonProperty("3xx") long c3,
                                @JsonProperty("4xx") long c4, @JsonProperty("5xx") long c5,
                                @JsonProperty("other") long other) {
        static StatusClasses of(BackendTraffic t) {
            if (t == null) return new StatusClasses(0, 0, 0, 0, 0, 0);
            return new StatusClasses(t.requests(0), t.requests(1), t.requests(2), t.requests(3), t.requests(4), t.requests(5));
        }

        StatusClasses plus(StatusClasses o) {
            return new StatusClasses(c1 + o.c1, c2 + o.c2, c3 + o.c3, c4 + o.c4, c5 + o.c5, other + o.other);
        }

        long total() {
            return c1 + c2 + c3 + c4 + c5 + other;
        }
    }

    /** Percentiles in milliseconds over the last {@code windowSeconds}; null when no request finished in it. */
    public record LatencyView(double windowSeconds, long requests, Double p50Ms, Double p90Ms, Double p99Ms) {}

    /** One point per second, oldest first; p99Ms is null for a second without requests. */
    public record SeriesView(List<Double> rps, List<Double> p99Ms, List<Integer> inFlight) {}

    public record TransitionView(String backend, String from, String to, String cause, String at, long epochMillis) {
        static TransitionView of(Transition t) {
            return new TransitionView(t.backend(), t.from() == null ? null : t.from().label(), t.to().label(), t.cause(),
                    Instant.ofEpochMilli(t.epochMillis()).toString(), t.epochMillis());
        }
    }

    public record RemoveResult(String pool, String backend, boolean removed, boolean drained, int inFlightAtRemoval,
                               long waitedMillis) {}

    public record ReloadResult(boolean applied, String file, String summary, List<String> errors, List<String> warnings) {}

    public record ErrorView(int status, String error) {}

    /** {@code GET /api/v1/cluster}: the agreed view as this node has it, who holds which address, what it replicated. */
    @JsonPropertyOrder({"self", "group", "viewId", "coordinator", "members", "assignment", "held", "replication"})
    public record ClusterView(String self, String group, long viewId, String coordinator, List<ClusterMemberView> members,
                              Map<String, String> assignment, List<String> held, ReplicationView replication) {
        static ClusterView of(ClusterStatus s) {
            List<ClusterMemberView> members = s.members().stream().map(m -> new ClusterMemberView(m.name(), m.endpoint(),
                    Instant.ofEpochMilli(m.joinedAtMillis()).toString(), m.joinedAtMillis(), m.mature(),
                    m.name().equals(s.self()), m.name().equals(s.coordinator()), m.vips())).toList();
            ClusterStatus.Replication r = s.replication();
            return new ClusterView(s.self(), s.group(), s.viewId(), s.coordinator(), members, s.assignment(), s.held(),
                    new ReplicationView(r.sent(), r.received(), r.applied(), r.dropped()));
        }
    }

    /** One member of the view; {@code joinedAt} is on the coordinator's clock. */
    @JsonPropertyOrder({"name", "endpoint", "joinedAt", "joinedAtMillis", "mature", "self", "coordinator", "vips"})
    public record ClusterMemberView(String name, String endpoint, String joinedAt, long joinedAtMillis, boolean mature,
                                    boolean self, boolean coordinator, List<String> vips) {}

    /** Replication messages since start. */
    @JsonPropertyOrder({"sent", "received", "applied", "dropped"})
    public record ReplicationView(long sent, long received, long applied, long dropped) {}

    /** The answer of {@code POST /api/v1/token}: only sent when the token is right (401/403 otherwise). */
    public record TokenCheck(boolean accepted) {}

    /** A pool's session persistence: its kind, what was not honoured, and its table's fill. */
    public record PersistenceView(String pool, String kind, Map<String, Long> rejected, Integer tableSize,
                                  Integer tableCapacity, Long tableEvicted) {}

    /** One page of a pool's stick table, in key order; {@code next} is the {@code after} of the next page. */
    public record StickTableView(String pool, int total, int capacity, List<StickEntryView> entries, String next) {}

    /** One stick-table entry; rates are per {@value StickTable#RATE_PERIOD_SECONDS} seconds. */
    public record StickEntryView(String key, String server, double ageSeconds, double expiresInSeconds, long requests,
                                 long requestRate, long connections, long connectionRate, long errors) {
        static StickEntryView of(StickTable.Entry e) {
            StickTable.Counters c = e.counters();
            return new StickEntryView(e.key(), e.server(), round(e.ageNanos() / 1e9, 3), round(e.expiresInNanos() / 1e9, 3),
                    c.requests(), c.requestRate(), c.connections(), c.connectionRate(), c.errors());
        }
    }

    /**
     * One page of a TCP listener's sessions (the binding table): {@code total} matched the filter, these
     * start at {@code offset}; {@code next} is the offset of the next page, null on the last.
     */
    public record SessionPageView(String listener, String server, int total, int offset, List<SessionView> sessions,
                                  Integer next) {}

    /** One open TCP session: {@code server} and {@code pool} are null while it is being connected. */
    public record SessionView(long id, String client, String pool, String server, String since, long bytesUp,
                              long bytesDown) {
        static SessionView of(SessionTable.Session s) {
            return new SessionView(s.id(), s.client(), s.pool(), s.server(), Instant.ofEpochMilli(s.sinceMillis()).toString(),
                    s.bytesUp(), s.bytesDown());
        }
    }

    /** How many transitions a back end's view carries (the pool's view carries the pool's whole bounded history). */
    static final int BACKEND_HISTORY = 10;

    static PoolView pool(Pool pool, int queued, Traffic traffic, Sampler sampler) {
        return pool(pool, queued, Map.of(), traffic, sampler);
    }

    static PoolView pool(Pool pool, int queued, Map<String, Integer> queuedByClass, Traffic traffic, Sampler sampler) {
        var set = pool.snapshot().backends();
        List<Transition> history = pool.history();
        List<BackendView> backends = new ArrayList<>();
        StatusClasses classes = StatusClasses.of(null);
        double rps = 0;
        for (Member m : set.members()) {
            BackendView v = backend(pool.name(), m, traffic, sampler, history);
            backends.add(v);
            classes = classes.plus(v.statusClasses());
            rps += v.rps();
        }
        StatusClasses none = StatusClasses.of(traffic.get(pool.name(), Traffic.NONE));
        Series noneSeries = sampler.get(pool.name(), Traffic.NONE);
        if (noneSeries != null) rps += noneSeries.rps();
        classes = classes.plus(none);
        List<TransitionView> hist = new ArrayList<>();
        for (int i = history.size() - 1; i >= 0; i--) hist.add(TransitionView.of(history.get(i)));
        return new PoolView(pool.name(), pool.algorithm().name(), set.version(), set.members().size(), set.size(),
                set.panic(), pool.inFlight(), queued, queuedByClass, classes.total(), none.total(), round(rps, 1), classes, backends, hist);
    }

    static BackendView backend(String pool, Member m, Traffic traffic, Sampler sampler, List<Transition> poolHistory) {
        Backend b = m.backend();
        BackendTraffic t = traffic.get(pool, b.name());
        Series s = sampler.get(pool, b.name());
        LatencyView latency;
        SeriesView series;
        double rps = 0;
        if (s == null) {
            latency = new LatencyView(0, 0, null, null, null);
            series = new SeriesView(List.of(), List.of(), List.of());
        } else {
            Series.Window w = s.window();
            latency = new LatencyView(round(w.seconds(), 1), w.requests(), millis(w.p50Millis()), millis(w.p90Millis()),
                    millis(w.p99Millis()));
            List<Double> r = new ArrayList<>();
            for (double d : s.rpsSeries()) r.add(round(d, 1));
            List<Double> p = new ArrayList<>();
            for (double d : s.p99MillisSeries()) p.add(millis(d));
            List<Integer> f = new ArrayList<>();
            for (int i : s.inFlightSeries()) f.add(i);
            series = new SeriesView(r, p, f);
            rps = round(s.rps(), 1);
        }
        List<TransitionView> history = new ArrayList<>();
        for (int i = poolHistory.size() - 1; i >= 0 && history.size() < BACKEND_HISTORY; i--) {
            Transition tr = poolHistory.get(i);
            if (tr.backend().equals(b.name())) history.add(TransitionView.of(tr));
        }
        StatusClasses classes = StatusClasses.of(t);
        return new BackendView(b.name(), b.address(), m.state().label(), m.admin().label(), m.weight(), m.weightForNewRequests(),
                m.cause(), b.inFlight(), classes.total(), b.requests(), b.failures(), t == null ? 0 : t.retries(),
                t == null ? 0 : t.ejections(), classes, b.bytesIn(), b.bytesOut(), rps, latency, series, history,
                LoadReportView.of(b, System.nanoTime()));
    }

    private static Double millis(double ms) {
        return Double.isNaN(ms) ? null : round(ms, 3);
    }

    static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }
}
