package io.switchboard.dispatch;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Bounds the retries in flight in one pool to a share of its active requests (Envoy's retry budget:
 * {@code budget_percent} 20 %, {@code min_retry_concurrency} 3). Without it, a failure that hits every
 * request (a dead back end under a burst, or a request that kills whichever server it reaches) turns
 * each request into {@code 1 + retries} attempts just when the pool can least afford them.
 *
 * <p>A retry takes a token ({@link #tryAcquire()}) and gives it back once its attempt is over
 * ({@link #release()}). Replays on a stale keep-alive connection do not take a token: they are not a
 * second attempt on the farm, only a second connection.
 *
 * <p>Threading: lock-free; any event loop.
 */
public final class RetryBudget {
    public static final int DEFAULT_PERCENT = 20;
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
