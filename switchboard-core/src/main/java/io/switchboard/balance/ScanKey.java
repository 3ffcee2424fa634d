package io.switchboard.balance;

/**
 * Branch-free minimum search for the pickers that scan every back end (least-conn, least-traffic,
 * fastest).
 *
 * <p>Why: a running minimum kept with {@code if (cost < best)} takes a new record about ln n times
 * per scan at data-dependent places, and each is a branch misprediction (~20 cycles); at 100 back
 * ends that was more than the loads themselves. Instead each back end's cost becomes one
 * {@code long} whose signed order is the cost order, with the back end's scan position in the low
 * bits, and the scan keeps {@code Math.min} of those (a conditional move, no branch). Equal costs
 * then go to the lowest position; positions count from a random offset, so ties spread instead of
 * piling on the first server.
 *
 * <p>The low bits are taken from the cost, so costs that differ only there tie: a relative
 * precision of 2^-(52 - positionBits), at least 2^-32, far below any difference a balancer cares
 * about.
 */
final class ScanKey {
    /** The largest pool the packed scan supports (same as the consistent-hash ring owner bits). */
    static final int MAX_BACKENDS = 1 << 20;

    private ScanKey() {}

    /** Bits needed for positions 0..n-1 (at least 1). */
    static int positionBits(int n) {
        if (n > MAX_BACKENDS) throw new IllegalArgumentException("at most " + MAX_BACKENDS + " back ends per pool, got " + n);
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(n - 1));
    }

    /**
     * A long whose signed order is the order of the doubles (any non-NaN value): positive doubles
     * already order as their bits; for negative ones the magnitude bits are flipped.
     */
    static long sortable(double v) {
        long bits = Double.doubleToRawLongBits(v);
        return bits ^ ((bits >> 63) & Long.MAX_VALUE);
    }

    /** A double cost and a position packed: order by cost, then position. */
    static long of(double cost, long position, long positionMask) {
        return (sortable(cost) & ~positionMask) | position;
    }

    /**
     * {@link #of} for a cost known to be {@code >= 0} (or +0.0): the raw bits of non-negative
     * doubles already order as longs, which saves the sign fix-up in the hottest loops.
     */
    static long ofNonNegative(double cost, long position, long positionMask) {
        return (Double.doubleToRawLongBits(cost) & ~positionMask) | position;
    }

    /**
     * The scan position of index i when the scan starts at off: {@code (i - off) mod 2^bits}. The
     * indices from off up come first, in order, then those below off, in order; all fit in the mask
     * because n <= 2^bits.
     */
    static long position(int i, int off, long positionMask) {
        return (i - off) & positionMask;
    }

    /** The index a packed key's position stands for: the inverse of {@link #position}. */
    static int index(long key, long positionMask, int off) {
        return (int) (((key & positionMask) + off) & positionMask);
    }
}
