package io.switchboard.load;

/**
 * A sum over a sliding time window, kept as a ring of buckets (RFC 2391 "least traffic": bytes
 * directed to or from a member over a period of time).
 *
 * <p>Threading: {@link #add} is serialized on this object; {@link #sum} is lock-free and reads a
 * running total maintained by the writer, so a picker pays one volatile read per back end instead
 * of summing buckets. The total is exact at the last write; a reader that sees no write for a
 * whole window treats the back end as idle (0).
 */
public final class WindowedCounter {
    public static final long DEFAULT_WINDOW_NANOS = 10_000_000_000L;

    private final long windowNanos;
    private final long bucketNanos;
    private final long[] buckets;
    private final long[] epochs;
    private volatile long total;
    private volatile long lastWriteNanos = Long.MIN_VALUE / 2;

    public WindowedCounter(long windowNanos, int bucketCount) {
        if (windowNanos <= 0 || bucketCount <= 0) throw new IllegalArgumentException("window and buckets must be positive");
        this.windowNanos = windowNanos;
        this.bucketNanos = Math.max(1, windowNanos / bucketCount);
        this.buckets = new long[bucketCount];
        this.epochs = new long[bucketCount];
        java.util.Arrays.fill(epochs, Long.MIN_VALUE);
    }

    public synchronized void add(long amount, long nowNanos) {
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
            total = t;
            return;
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
    }

    /** The windowed sum as of the last write, or 0 if nothing was written for a whole window. */
    public long sum(long nowNanos) {
        if (nowNanos - lastWriteNanos >= windowNanos) return 0;
        return total;
    }
}
