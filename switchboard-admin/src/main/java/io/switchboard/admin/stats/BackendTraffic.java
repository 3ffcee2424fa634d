package io.switchboard.admin.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the admin plane counts about one back end (or, under the name {@link Traffic#NONE}, about
 * a pool's requests that never reached one): finished requests by status class, their durations,
 * retries and ejections. The back end's own live counters (in flight, bytes) stay on
 * {@link io.switchboard.backend.Backend}; this adds what the data plane does not keep.
 *
 * <p>Threading: written by event loops and pool writers through {@link LongAdder}s; read by anyone.
 */
public final class BackendTraffic {
    /** Status classes in the order of {@link #statusClass(int)}: 1xx ... 5xx, then anything else (no response). */
    public static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};

    private final LongAdder[] byClass = new LongAdder[STATUS_CLASSES.length];
    private final LongAdder retries = new LongAdder();
    private final LongAdder ejections = new LongAdder();
    private final LatencyHistogram latency = new LatencyHistogram();

    BackendTraffic() {
        for (int i = 0; i < byClass.length; i++) byClass[i] = new LongAdder();
    }

    /** Index into {@link #STATUS_CLASSES}; 0 (no response was sent) and anything outside 100-599 are "other". */
    public static int statusClass(int status) {
        int c = status / 100;
        return c >= 1 && c <= 5 ? c - 1 : 5;
    }

    void onExchange(int status, long durationMicros, int retried) {
        byClass[statusClass(status)].increment();
        latency.record(durationMicros);
        if (retried > 0) retries.add(retried);
    }

    void onEjection() {
        ejections.increment();
    }

    public long requests(int statusClassIndex) {
        return byClass[statusClassIndex].sum();
    }

    /** Finished requests of every class. */
    public long requests() {
        long n = 0;
        for (LongAdder a : byClass) n += a.sum();
        return n;
    }

    public long retries() { return retries.sum(); }
    public long ejections() { return ejections.sum(); }
    public LatencyHistogram latency() { return latency; }
}
