package io.switchboard.balance;

import java.util.random.RandomGenerator;

/**
 * O(1) sampling of index i with probability w_i / W (Vose, "A Linear Algorithm for Generating
 * Random Numbers with a Given Distribution", IEEE TSE 1991: Walker's alias method). Built once per
 * snapshot by the writer; a draw is one 64-bit random number, one multiply and two array reads, where
 * a binary search over prefix sums costs log2(n) unpredictable branches.
 *
 * <p>The table has n columns of height W. Column i keeps its own index for the first
 * {@code keep_i} units and hands the rest to {@code alias[i]}; the construction fills every column
 * exactly, so index j owns w_j * n units in total, i.e. probability w_j / W. It is exact in integers;
 * only the draw quantizes: the column comes from the high 32 bits of the random number
 * (multiply-shift), the keep/alias choice from the low 32 bits against {@code keep_i / W} in units of
 * 2^-32. Both errors are below n / 2^32.
 *
 * <p>Each column is one long, {@code keep_i << 32 | alias[i]}, so that a draw reads one array element
 * (one cache line at 10,000 back ends, not two). A column kept whole ({@code keep_i = 2^32}, which
 * does not fit in 32 bits) is stored as its own alias: either branch of the draw then gives i.
 *
 * <p>Threading: immutable after construction.
 */
final class AliasTable {
    private final int n;
    /** Column i: keep_i / W in units of 2^-32 in the high 32 bits, alias[i] in the low 32. */
    private final long[] columns;

    AliasTable(int[] weights) {
        n = weights.length;
        if (n == 0) throw new IllegalArgumentException("no weights");
        long[] keep = new long[n];
        int[] alias = new int[n];
        long total = 0;
        for (int w : weights) {
            if (w < 0) throw new IllegalArgumentException("negative weight " + w);
            total += w;
        }
        if (total == 0) throw new IllegalArgumentException("weights sum to 0");
        // Scaled so that every column holds `total` units: index i brings w_i * n units.
        long[] units = new long[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int ns = 0, nl = 0;
        for (int i = 0; i < n; i++) {
            units[i] = (long) weights[i] * n;
            if (units[i] < total) small[ns++] = i; else large[nl++] = i;
        }
        while (ns > 0 && nl > 0) {
            int s = small[--ns];
            int l = large[--nl];
            keep[s] = fraction(units[s], total);
            alias[s] = l;
            units[l] -= total - units[s]; // l fills the rest of column s
            if (units[l] < total) small[ns++] = l; else large[nl++] = l;
        }
        // What is left holds exactly `total` units (exact integer arithmetic): keeps its column whole.
        while (nl > 0) {
            int l = large[--nl];
            keep[l] = 1L << 32;
            alias[l] = l;
        }
        while (ns > 0) { // unreachable in exact arithmetic; kept so a column is never left empty
            int s = small[--ns];
            keep[s] = 1L << 32;
            alias[s] = s;
        }
        columns = new long[n];
        for (int i = 0; i < n; i++) {
            // a column kept whole always gives i: stored as keep 0 with alias i, the same draws
            columns[i] = keep[i] >= 1L << 32 ? i : keep[i] << 32 | alias[i];
        }
    }

    private static long fraction(long part, long whole) {
        return (long) Math.floor((double) part / whole * 4294967296.0);
    }

    int size() {
        return n;
    }

    int sample(RandomGenerator random) {
        long r = random.nextLong();
        int column = (int) (((r >>> 32) * n) >>> 32);
        long c = columns[column];
        return (r & 0xffffffffL) < c >>> 32 ? column : (int) c;
    }
}
