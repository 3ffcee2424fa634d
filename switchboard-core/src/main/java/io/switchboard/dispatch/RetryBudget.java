package io.switchboard.dispatch;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Bounds the retries in flight in one pool to a share of its active requests (Envoy's retry budget,
 * with {@code min_retry_concurrency} 3). Without it, a failure that hits every request (a back end
 * that answers every request by closing, or a request that kills whichever server it reaches) turns
 * each request into {@code 1 + retries} attempts on the farm just when it can least afford them.
 *
 * <p>The share is 50 %, not Envoy's 20 %: when one of three back ends is killed, a third of the
 * requests in flight break at the same moment and all deserve their retry
 * ({@code BackendKilledUnderLoadIT} lost requests with 20 %). Half of the active requests still
 * bounds a retry storm to 1.5 times the load instead of {@code 1 + retries} times.
 *
 * <p>A retry takes a token ({@link #tryAcquire()}) and gives it back once its request is over
 * ({@link #release()}). Only retries of requests that reached a back end take one: a replay on a
 * stale keep-alive connection, or a retry after a refused connect, never loaded a server.
 *
 * <p>Threading: lock-free; any event loop.
 */
public final class RetryBudget {
    public static final int DEFAULT_PERCENT = 50;
    public static final int DEFAULT_MIN_CONCURRENCY = 3;

    private final int percent;
    private final int minConcurrency;
    private final IntSupplier activeRequests;
    private final AtomicInteger active = new AtomicInteger();

    /**
     * @param activeRequests the pool's requests in flight (including those retrying), read per retry
     */
    public RetryBudget(int percent, int minConcurrency, IntSupplier activeRequests) {
        if (percent < 0 || percent > 100) throw new IllegalArgumentException("percent must be 0-100: " + percent);
        if (minConcurrency < 0) throw new IllegalArgumentException("min concurrency must not be negative: " + minConcurrency);
        this.percent = percent;
        this.minConcurrency = minConcurrency;
        this.activeRequests = activeRequests;
    }

    /** Retries allowed at once now: the larger of the minimum and the share of active requests. */
    public int limit() {
        return Math.max(minConcurrency, (int) ((long) activeRequests.getAsInt() * percent / 100));
    }

    /** Takes a token for one retry; false when the budget is spent (the caller gives up). */
    public boolean tryAcquire() {
        int limit = limit();
        int n;
        do {
            n = active.get();
            if (n >= limit) return false;
        } while (!active.compareAndSet(n, n + 1));
        return true;
    }

    /** Gives back a token taken by {@link #tryAcquire()}; exactly once per token. */
    public void release() {
        active.decrementAndGet();
    }

    /** Retries in flight now. */
    public int active() {
        return active.get();
    }
}
