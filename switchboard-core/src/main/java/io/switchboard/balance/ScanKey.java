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
 * then go to the lowest position. A back end's position is its index rotated by the picker's
 * cursor ({@link #position}: {@code (index - cursor) mod n}), and the picker moves the cursor just
 * past each winner. So equal costs are served round robin, as HAProxy's leastconn does: with
 * sequential traffic every pick sees every back end at the same load, and a random or fixed tie
 * break would send runs of requests to one server (issue #11: 12 of 12 to one back end).
 *
 * <p>Instruction count matters here: on the benchmark machine each instruction in the loop adds
 * roughly 3-5 ns to a pick at 100 back ends. So a picker reads each back end's index as a {@code long}
 * from an array ({@link #indices}) (an {@code int} loop index took a move and a sign extension),
 * rotates it branch-free and packs {@code (cost bits & ~mask) | position}.
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

    /** {0, 1, ..., n - 1} as longs, for a picker to read each back end's index from in its scan. */
    static long[] indices(int n) {
        long[] indices = new long[n];
        for (int i = 0; i < n; i++) indices[i] = i;
        return indices;
    }

    /** A double cost and a back end's index packed: order by cost, then index. */
    static long of(double cost, long index, long positionMask) {
        return (sortable(cost) & ~positionMask) | index;
    }

    /**
     * {@link #of} for a cost known to be {@code >= 0} (or +0.0): the raw bits of non-negative
     * doubles already order as longs, which saves the sign fix-up in the hottest loops.
     */
    static long ofNonNegative(double cost, long index, long positionMask) {
        return (Double.doubleToRawLongBits(cost) & ~positionMask) | index;
    }

    /**
     * The scan position of {@code index} when the round starts at {@code cursor} (both below n):
     * {@code (index - cursor) mod n}, without a branch. Distinct indices get distinct positions below
     * n, so they fit in the position bits.
     */
    static long position(long index, int cursor, int n) {
        long p = index - cursor;
        return p + ((p >> 63) & n);
    }

    /** The index of the back end a key packed with {@link #position} stands for. */
    static int index(long key, long positionMask, int cursor, int n) {
        int i = (int) (key & positionMask) + cursor;
        return i >= n ? i - n : i;
    }

    /** The cursor after {@code index} won: the next round starts just past it. */
    static int next(int index, int n) {
        return index + 1 == n ? 0 : index + 1;
    }
}
