package io.switchboard.load;

import java.util.Arrays;
import java.util.Objects;

/**
 * A sum over a sliding time window, kept as a ring of buckets (RFC 2391 "least traffic": bytes
 * directed to or from a member over a period of time).
 *
 * <p>Threading: {@link #add} is serialized on this object; {@link #sum} is lock-free and reads a
 * running total maintained by the writer, so a picker pays one volatile read per back end instead
 * of summing buckets. The total is exact at the last write; a reader that sees no write for a
 * whole window treats the back end as idle (0). The change listener runs on the writer's thread
 * after each write that changed the total or the last write time, outside the lock.
 */
public final class WindowedCounter {
    public static final long DEFAULT_WINDOW_NANOS = 10_000_000_000L;

    /** {@link #lastWriteNanos()} before the first write: far enough in the past to read as idle at any time. */
    public static final long NEVER_WRITTEN = Long.MIN_VALUE / 2;

    private static final Runnable NO_LISTENER = () -> {};

    private final long windowNanos;
    private final long bucketNanos;
    private final long[] buckets;
    private final long[] epochs;
    private final Runnable onChange;
    private volatile long total;
    private volatile long lastWriteNanos = NEVER_WRITTEN;

    public WindowedCounter(long windowNanos, int bucketCount) {
        this(windowNanos, bucketCount, NO_LISTENER);
    }

    /**
     * {@code onChange} is called after every {@link #add} that changed {@link #total()} or
     * {@link #lastWriteNanos()} (the back end uses it to keep its least-traffic score up to date).
     */
    public WindowedCounter(long windowNanos, int bucketCount, Runnable onChange) {
        if (windowNanos <= 0 || bucketCount <= 0) throw new IllegalArgumentException("window and buckets must be positive");
        this.windowNanos = windowNanos;
        this.bucketNanos = Math.max(1, windowNanos / bucketCount);
        this.buckets = new long[bucketCount];
        this.epochs = new long[bucketCount];
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        Arrays.fill(epochs, Long.MIN_VALUE);
    }

    public void add(long amount, long nowNanos) {
        if (record(amount, nowNanos)) onChange.run();
    }

    /** The update itself; false when a late sample was dropped and nothing changed. */
    private synchronized boolean record(long amount, long nowNanos) {
        long epoch = Math.floorDiv(nowNanos, bucketNanos);
        long t = total;
        // Expire buckets that fell out of the window.
        for (int i = 0; i < buckets.length; i++) {
            if (epochs[i] != Long.MIN_VALUE && epoch - epochs[i] >= buckets.length) {
                t -= buckets[i];
                buckets[i] = 0;
                epochs[i] = Long.MIN_VALUE;
            }
        }
        int idx = (int) Math.floorMod(epoch, (long) buckets.length);
        if (epochs[idx] != Long.MIN_VALUE && epochs[idx] > epoch) {
            // Event loops read the clock before taking this lock, so a sample may arrive late. One
            // whose bucket was already reused by a newer epoch is a whole window old: drop it rather
            // than wipe the newer bucket.
            if (t == total) return false;
            total = t;
            return true;
        }
        if (epochs[idx] != epoch) {
            t -= buckets[idx];
            buckets[idx] = 0;
            epochs[idx] = epoch;
        }
        buckets[idx] += amount;
        t += amount;
        total = t;
        if (nowNanos > lastWriteNanos) lastWriteNanos = nowNanos;
        return true;
    }

    /** The windowed sum as of the last write, or 0 if nothing was written for a whole window. */
    public long sum(long nowNanos) {
        if (nowNanos - lastWriteNanos >= windowNanos) return 0;
        return total;
    }

    /**
     * The running total as of the last write, without the idle check of {@link #sum}: equal to
     * {@code sum(now)} for every {@code now} before {@code lastWriteNanos() + windowNanos()}.
     */
    public long total() {
        return total;
    }

    /**
     * The latest time passed to a counted {@link #add}; never decreases. A time before any real
     * clock reading until the first write.
     */
    public long lastWriteNanos() {
        return lastWriteNanos;
    }

    public long windowNanos() {
        return windowNanos;
    }
}
