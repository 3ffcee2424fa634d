package io.switchboard.backend;

import io.switchboard.load.PeakEwma;
import io.switchboard.load.WindowedCounter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One back-end server: its identity and its live counters.
 *
 * <p>Threading: identity fields are immutable. The counters are written by the data plane (any
 * event loop) and read lock-free by pickers; they are the only mutable state a picker reads.
 * State and weight are not here: they belong to the immutable {@link BackendSet} snapshot, so a
 * picker sees one consistent view of who is eligible.
 */
public final class Backend {
    private static final VarHandle IN_FLIGHT;

    static {
        try {
            IN_FLIGHT = MethodHandles.lookup().findVarHandle(Backend.class, "inFlight", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String pool;
    private final String name;
    private final String host;
    private final int port;

    /**
     * A field rather than an AtomicInteger: the scanning pickers (least-conn, least-traffic, fastest)
     * read it for every back end on every pick, and this saves a dependent load per back end. Read
     * in opaque mode: a picker needs a recent count, not ordering with other memory.
     */
    private volatile int inFlight;
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
        this.host = Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1-65535");
        }
        this.port = port;
        this.traffic = new WindowedCounter(trafficWindowNanos, 10);
        this.latency = new PeakEwma(latencyDecayNanos);
    }

    /** In-flight limit (HAProxy's maxconn); 0 means none. Set by the pool's writer, read by the data plane. */
    private volatile int maxConnections;

    public int maxConnections() { return maxConnections; }

    public void maxConnections(int limit) {
        if (limit < 0) throw new IllegalArgumentException("max connections must not be negative");
        this.maxConnections = limit;
    }

    /** Whether the back end is at its in-flight limit. */
    public boolean full() {
        int limit = maxConnections;
        return limit > 0 && inFlight() >= limit;
    }

    public String pool() { return pool; }
    public String name() { return name; }
    public String host() { return host; }
    public int port() { return port; }
    public String address() { return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port; }

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

    /** The data plane calls this when it dispatches a request here. */
    public void onDispatch() {
        IN_FLIGHT.getAndAdd(this, 1);
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
            latency.observe(latencyNanos, nowNanos);
        }
        if (ok) {
            // Read first: a plain read keeps the cache line shared across event loops in the common case.
            if (consecutiveFailures.get() != 0) consecutiveFailures.set(0);
            return 0;
        }
        failures.increment();
        return consecutiveFailures.incrementAndGet();
    }

    /** A failure that never became a dispatched request (for example connect refused). */
    public int onConnectFailure() {
        failures.increment();
        return consecutiveFailures.incrementAndGet();
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
        traffic.add(Math.max(in, 0) + Math.max(out, 0), nowNanos);
    }


    @Override
    public String toString() {
        return pool + "/" + name + "(" + address() + ")";
    }
}
