package io.switchboard.backend;

import io.switchboard.config.Addresses;
import io.switchboard.load.LoadReport;
import io.switchboard.config.SendProxy;
import io.switchboard.load.PeakEwma;
import io.switchboard.load.WindowedCounter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One back-end server: its identity and its live counters.
 *
 * <p>Threading: identity fields are immutable. The counters are written by the data plane (any
 * event loop) and read lock-free by pickers; they are the only mutable state a picker reads. A
 * picker that keeps the back ends ordered by them (least-conn's tree) is told of every change, on
 * the thread that made it ({@link LoadWatcher}).
 * State and weight are not here: they belong to the immutable {@link BackendSet} snapshot, so a
 * picker sees one consistent view of who is eligible.
 *
 * <p>Scores: the pickers that scan every back end (least-traffic, fastest) would read five to seven
 * words per back end to compute its load from the counters; that made a pick cost about 1.6 ns per
 * back end. Instead the writers keep each such load precomputed in one word here ({@link
 * #trafficScore()}, {@link #latencyScore()}), and a scan reads one word per back end plus the
 * weight term of its snapshot. A write recomputes the score from all its inputs, stores it, and
 * reads the inputs again, repeating while they changed ({@code refreshScores()}): so however
 * event loops interleave, once the inputs stop changing the scores are exactly what they give.
 * That costs the data plane about 20 ns per request, so the scores are kept only from the first
 * time a picker that reads them is built over this back end ({@link #keepScores()}).
 */
public final class Backend {
    /**
     * What one in-flight request counts as, in bytes, in the least-traffic score before its bytes
     * are counted, so that a burst of new requests does not all land on the same idle server.
     */
    public static final double TRAFFIC_PER_REQUEST = 1024.0;

    private static final VarHandle IN_FLIGHT;
    private static final VarHandle TRAFFIC_SCORE;
    private static final VarHandle LATENCY_SCORE;
    private static final VarHandle COST_SINCE_REPORT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            IN_FLIGHT = lookup.findVarHandle(Backend.class, "inFlight", int.class);
            TRAFFIC_SCORE = lookup.findVarHandle(Backend.class, "trafficScore", double.class);
            LATENCY_SCORE = lookup.findVarHandle(Backend.class, "latencyScore", double.class);
            COST_SINCE_REPORT = lookup.findVarHandle(Backend.class, "costSinceReport", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String pool;
    private final String name;
    private final String label;
    private final String host;
    private final int port;

    /**
     * A field rather than an AtomicInteger: the scanning pickers (least-conn, least-traffic, fastest)
     * read it for every back end on every pick, and this saves a dependent load per back end. Read
     * in opaque mode: a picker needs a recent count, not ordering with other memory.
     */
    private volatile int inFlight;
    /** {@code traffic.total() + TRAFFIC_PER_REQUEST * inFlight}; read in opaque mode. */
    private volatile double trafficScore;
    /** {@code PeakEwma.logLoadAtEpoch(latency.logCostAtEpoch(), inFlight)}; read in opaque mode. */
    private volatile double latencyScore = Double.NEGATIVE_INFINITY;
    /** Whether the scores are kept; never goes back to false. */
    private volatile boolean scored;
    private final AtomicInteger poolInFlight;
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final WindowedCounter traffic;
    private final PeakEwma latency;

    public Backend(String pool, String name, String host, int port) {
        this(pool, name, host, port, new AtomicInteger());
    }

    /** {@code poolInFlight} is shared by all back ends of one pool (the bounded-load hash reads it in O(1)). */
    public Backend(String pool, String name, String host, int port, AtomicInteger poolInFlight) {
        this(pool, name, host, port, poolInFlight, WindowedCounter.DEFAULT_WINDOW_NANOS, PeakEwma.DEFAULT_DECAY_NANOS);
    }

    public Backend(String pool, String name, String host, int port, AtomicInteger poolInFlight,
                   long trafficWindowNanos, long latencyDecayNanos) {
        this.poolInFlight = Objects.requireNonNull(poolInFlight, "poolInFlight");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.name = Objects.requireNonNull(name, "name");
        this.label = pool + "/" + name;
        this.host = Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1-65535");
        }
        this.port = port;
        this.traffic = new WindowedCounter(trafficWindowNanos, 10, this::changed);
        this.latency = new PeakEwma(latencyDecayNanos, this::changed);
    }

    /**
     * Told after each change of this back end's in-flight count or scores, on the thread that made
     * it: a picker that keeps the pool's back ends ordered (least-conn's tree) re-sorts this one. It
     * must be quick, lock-free or briefly locked, and must not call back into this back end's writers.
     */
    public interface LoadWatcher {
        void loadChanged();

        /** This watcher was replaced (by another, or by none): it hears no more changes. */
        default void dropped() {}
    }

    private volatile LoadWatcher watcher;

    /**
     * Makes {@code w} this back end's only watcher (null: none), tells the one it replaces that it was
     * {@linkplain LoadWatcher#dropped() dropped}, and returns it. The pool's writer calls this when it
     * builds a picker that watches (one picker per pool is in force), or with null when the pool's
     * algorithm changes.
     */
    public LoadWatcher watch(LoadWatcher w) {
        LoadWatcher before = watcher;
        watcher = w;
        if (before != null && before != w) before.dropped();
        return before;
    }

    /** The counters changed: recompute the scores, then tell the watcher. */
    private void changed() {
        refreshScores();
        LoadWatcher w = watcher;
        if (w != null) w.loadChanged();
    }

    /** In-flight limit (HAProxy's maxconn); 0 means none. Set by the pool's writer, read by the data plane. */
    private volatile int maxConnections;

    public int maxConnections() { return maxConnections; }

    public void maxConnections(int limit) {
        if (limit < 0) throw new IllegalArgumentException("max connections must not be negative");
        this.maxConnections = limit;
    }

    /** What this back end is able to do ({@code tags:}); set by the pool's writer, read when a tagged class picks. */
    private volatile Set<String> tags = Set.of();

    public Set<String> tags() { return tags; }

    public void tags(Set<String> t) {
        this.tags = Set.copyOf(t);
    }

    /** The latest report of this back end's agent; null while there is none (no data, never "down"). */
    private volatile LoadReport loadReport;
    /** Request cost dispatched here since {@link #loadReport} arrived (the stale-report correction). */
    private volatile long costSinceReport;

    /** The latest agent report, or null when none arrived; how old it may be is the reader's rule. */
    public LoadReport loadReport() { return loadReport; }

    /**
     * Stores a new agent report (the pool's writer calls this) and restarts the count of cost
     * dispatched since: the report now includes what was dispatched before it. A dispatch racing
     * with the reset may be counted in neither; the next report corrects that.
     */
    public void loadReport(LoadReport report) {
        // the two figures a candidacy chain reads of every candidate, kept here as words: a pick then
        // reads them from the back end it already holds, not from the report object
        this.reportNanos = report == null ? NO_REPORT : report.receivedNanos();
        this.reportLoad = report == null ? Double.POSITIVE_INFINITY : report.load();
        this.loadReport = report;
        COST_SINCE_REPORT.setOpaque(this, 0L);
        ReportWatcher w = reportWatcher; // read after the stores above: see ReportWatcher
        if (w != null) w.reportChanged();
    }

    /**
     * Told after each new report is stored on this back end ({@link #reportNanos()} and {@link
     * #reportLoad()} already hold its figures), on the thread that stored it: a picker that keeps its
     * own copy of those figures (the candidacy chain's) copies them again. Installed before that
     * picker copies them: the figures and the watcher are volatile, so a report stored while it
     * copies either is read by the copy or finds the watcher. Must be quick and must not store a report.
     */
    public interface ReportWatcher {
        void reportChanged();

        /** This watcher was replaced (by another, or by none): it hears no more reports. */
        default void dropped() {}
    }

    private volatile ReportWatcher reportWatcher;

    /**
     * Makes {@code w} this back end's only report watcher (null: none), tells the one it replaces that
     * it was {@linkplain ReportWatcher#dropped() dropped}, and returns it. Called when a picker that
     * copies the report figures is built (one picker per pool is in force), or with null when the
     * pool's algorithm changes.
     */
    public ReportWatcher watchReports(ReportWatcher w) {
        ReportWatcher before = reportWatcher;
        reportWatcher = w;
        if (before != null && before != w) before.dropped();
        return before;
    }

    /** {@link #reportNanos()} when no report arrived. */
    public static final long NO_REPORT = Long.MIN_VALUE;
    private volatile long reportNanos = NO_REPORT;
    private volatile double reportLoad = Double.POSITIVE_INFINITY;

    /** When the latest report arrived (the balancer's nanoTime), or {@link #NO_REPORT}. */
    public long reportNanos() { return reportNanos; }

    /** The latest report's {@link LoadReport#load()}; +infinity without a report. */
    public double reportLoad() { return reportLoad; }

    /** Adds a dispatched request's cost (1 for an ordinary request) to the count since the last report. */
    public void addCost(long cost) {
        COST_SINCE_REPORT.getAndAdd(this, cost);
    }

    /** Request cost dispatched here since the last agent report; read in opaque mode. */
    public long costSinceReport() { return (long) COST_SINCE_REPORT.getOpaque(this); }

    /**
     * The server's own {@code send-proxy}, which overrides its pool's; set by the pool's writer, read
     * by the data plane and the health probes when they open a connection to it.
     */
    private volatile SendProxy sendProxy = SendProxy.POOL;

    public SendProxy sendProxy() { return sendProxy; }

    public void sendProxy(SendProxy s) {
        this.sendProxy = s == null ? SendProxy.POOL : s;
    }

    /** Whether the back end is at its in-flight limit. */
    public boolean full() {
        int limit = maxConnections;
        return limit > 0 && inFlight() >= limit;
    }

    public String pool() { return pool; }
    public String name() { return name; }
    /** {@code pool/name}, as access logs write it; made once. */
    public String label() { return label; }
    public String host() { return host; }
    public int port() { return port; }
    public String address() { return Addresses.hostPort(host, port); }

    /** Requests currently dispatched to this back end and not yet complete. */
    public int inFlight() { return (int) IN_FLIGHT.getOpaque(this); }
    /** In-flight requests of the whole pool this back end belongs to. */
    public int poolInFlight() { return poolInFlight.get(); }
    public long requests() { return requests.sum(); }
    public long failures() { return failures.sum(); }
    public long bytesIn() { return bytesIn.sum(); }
    public long bytesOut() { return bytesOut.sum(); }
    public WindowedCounter traffic() { return traffic; }
    public PeakEwma latency() { return latency; }
    public int consecutiveFailures() { return consecutiveFailures.get(); }

    /**
     * Keeps {@link #trafficScore()} and {@link #latencyScore()} up to date from now on; idempotent.
     * The pickers that read them call this when they are built (on the pool's writer), so that pools
     * with other algorithms do not pay for the scores.
     */
    public void keepScores() {
        if (scored) return;
        // Set the flag, then compute: a writer that changed an input without seeing the flag did so
        // before the flag was set (both volatile), so the refresh below reads its change.
        scored = true;
        refreshScores();
    }

    /**
     * The least-traffic load before weighting: bytes in the traffic window as of its last write,
     * plus {@link #TRAFFIC_PER_REQUEST} per request in flight. It does not apply the window's idle
     * rule ({@link WindowedCounter#sum}); a picker checks {@link WindowedCounter#lastWriteNanos()}
     * for that. Never negative unless in-flight counts are unbalanced (a caller's bug). Kept only
     * after {@link #keepScores()}.
     */
    public double trafficScore() { return (double) TRAFFIC_SCORE.getOpaque(this); }

    /**
     * The fastest load before weighting: {@link PeakEwma#logLoadAtEpoch(double, int)} of this back
     * end's latency and in-flight count (-infinity unmeasured and idle, +infinity unmeasured and busy).
     * Kept only after {@link #keepScores()}.
     */
    public double latencyScore() { return (double) LATENCY_SCORE.getOpaque(this); }

    /** The data plane calls this when it dispatches a request here (not limited: see {@link #tryDispatch()}). */
    public void onDispatch() {
        IN_FLIGHT.getAndAdd(this, 1);
        dispatched();
    }

    /**
     * Counts a request dispatched here unless the back end is at its max-connections: the check and
     * the count are one atomic step, so event loops dispatching at the same moment cannot both take
     * the last slot. Every {@code true} must be followed by exactly one {@link #onComplete}.
     */
    public boolean tryDispatch() {
        int limit = maxConnections;
        if (limit <= 0) {
            onDispatch();
            return true;
        }
        int n;
        do {
            n = (int) IN_FLIGHT.getVolatile(this);
            if (n >= limit) return false;
        } while (!IN_FLIGHT.compareAndSet(this, n, n + 1));
        dispatched();
        return true;
    }

    private void dispatched() {
        changed();
        poolInFlight.incrementAndGet();
        requests.increment();
    }

    /**
     * The data plane calls this exactly once per {@link #onDispatch()}.
     *
     * @param ok whether the exchange succeeded (a 5xx or a transport error is not ok)
     * @return the number of consecutive failures after this outcome (0 on success)
     */
    public int onComplete(boolean ok, long latencyNanos, long nowNanos) {
        IN_FLIGHT.getAndAdd(this, -1);
        poolInFlight.decrementAndGet();
        if (latencyNanos >= 0) {
            latency.observe(latencyNanos, nowNanos); // calls changed()
        } else {
            changed();
        }
        if (ok) {
            // Read first: a plain read keeps the cache line shared across event loops in the common case.
            if (consecutiveFailures.get() != 0) consecutiveFailures.set(0);
            return 0;
        }
        failures.increment();
        return consecutiveFailures.incrementAndGet();
    }

    /**
     * Ends a dispatched request whose ending says nothing about this back end (the client left, or
     * the request itself was at fault): the in-flight counts drop, the failure run is left as it was.
     *
     * @return the consecutive failures, unchanged
     */
    public int onRelease(long nowNanos) {
        IN_FLIGHT.getAndAdd(this, -1);
        poolInFlight.decrementAndGet();
        changed();
        return consecutiveFailures.get();
    }

    /** A failure that never became a dispatched request (for example connect refused). */
    public int onConnectFailure() {
        failures.increment();
        return consecutiveFailures.incrementAndGet();
    }

    /**
     * Takes back one failure charged earlier, when it turned out not to be this back end's (the
     * request failed the same way on another back end: the request is the suspect). Too late for an
     * ejection that the charge already caused; that is what max-ejection-percent bounds.
     */
    public void forgiveFailure() {
        consecutiveFailures.updateAndGet(n -> n > 0 ? n - 1 : 0);
    }

    public void resetConsecutiveFailures() {
        consecutiveFailures.set(0);
    }

    /** Bytes moved to or from this back end, counted in the totals only (no sliding window). */
    public void countBytes(long in, long out) {
        if (in > 0) bytesIn.add(in);
        if (out > 0) bytesOut.add(out);
    }

    /** Bytes moved to or from this back end; also feeds the sliding window least-traffic reads. */
    public void onBytes(long in, long out, long nowNanos) {
        countBytes(in, out);
        // never negative: least-traffic orders by the raw bits of non-negative scores
        traffic.add(Math.max(in, 0) + Math.max(out, 0), nowNanos); // calls changed()
    }

    /**
     * Recomputes both scores from their inputs (the in-flight count, the traffic window's total, the
     * latency average) after any of them changed. Several event loops may change the inputs at
     * once, and a slow writer could store scores computed from older inputs over newer ones; so
     * after storing, the writer reads the inputs again and recomputes if any changed.
     *
     * <p>Why that ends with the right scores: the inputs and scores are volatile (sequentially
     * consistent), and every input change is followed, on the same thread, by a refresh. Take the
     * last store to the scores: its writer then read the inputs again and found the values it had
     * computed from (else it would have stored again). An input change after that read would be
     * followed by another store, so there is none: the final scores are computed from the final
     * inputs. Until then a picker may see scores one change old, as it may see any counter.
     *
     * <p>Cost: a few loads and one fence per change (the compiler drops the first of two adjacent
     * volatile stores' fences), with no lock; nothing until {@link #keepScores()}.
     */
    private void refreshScores() {
        if (!scored) return;
        int k;
        long bytes;
        double logCost;
        do {
            k = inFlight;
            bytes = traffic.total();
            logCost = latency.logCostAtEpoch();
            double byTraffic = bytes + TRAFFIC_PER_REQUEST * k;
            double byLatency = PeakEwma.logLoadAtEpoch(logCost, k);
            trafficScore = byTraffic; // the two stores back to back share one fence
            latencyScore = byLatency;
        } while (k != inFlight || bytes != traffic.total() || logCost != latency.logCostAtEpoch());
    }

    @Override
    public String toString() {
        return pool + "/" + name + "(" + address() + ")";
    }
}
