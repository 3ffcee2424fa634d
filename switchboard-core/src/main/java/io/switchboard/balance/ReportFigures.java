package io.switchboard.balance;

import io.switchboard.backend.Backend;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A picker's own copy of the two report figures the default candidacy chain reads of each
 * candidate, {@link Backend#reportNanos()} ({@code by-age}) and {@link Backend#reportLoad()}
 * ({@code by-load}), side by side in one array indexed like the picker's back ends: a candidate then
 * costs one cache line of a compact array rather than a line of its back end, which at 10,000 back
 * ends is a miss for every candidate.
 *
 * <p>Kept current by watching the back ends' reports ({@link Backend#watchReports}): a report's
 * thread copies its back end's figures here. Only the latest picker built over a back end watches
 * it; once any of its back ends is taken over (by a newer picker, or by none when the pool's
 * algorithm changes) this copy is no longer {@link #current()} and the picker reads the back ends.
 *
 * <p>Threading: the figures on the back end and the watcher slot are volatile, and so are the stores
 * here. The build installs the watchers, then copies; a copy (the build's or a report's) stores the
 * figures, then reads them from the back end again and stores again if they changed. Take the last
 * store to a back end's pair: its thread then found the back end's figures unchanged. A report stored
 * after that read finds the watcher installed (it was installed before any copy read) and copies
 * again, so there is none: once reports stop, the pair is the back end's. Picks read in opaque mode:
 * a recent value is all they need, as when they read the back end, and the two figures may come
 * from two reports racing with the pick, as they may on the back end.
 */
final class ReportFigures {
    private static final VarHandle AT = MethodHandles.arrayElementVarHandle(long[].class);

    /** [2i]: back end i's report time; [2i + 1]: the raw bits of its report load. */
    private final long[] figures;
    private volatile boolean current = true;

    /** Called on the pool's writer when the picker is built. */
    ReportFigures(Backend[] bs) {
        figures = new long[2 * bs.length];
        for (int i = 0; i < bs.length; i++) bs[i].watchReports(new Watcher(this, bs[i], i));
        for (int i = 0; i < bs.length; i++) copy(bs[i], i);
    }

    /** Whether every back end still copies its reports here. */
    boolean current() {
        return current;
    }

    /** The array a pick reads with {@link #at} and {@link #load}. */
    long[] figures() {
        return figures;
    }

    /** Back end i's {@link Backend#reportNanos()}, as of its latest report. */
    static long at(long[] figures, int i) {
        return (long) AT.getOpaque(figures, 2 * i);
    }

    /** Back end i's {@link Backend#reportLoad()}, as of its latest report. */
    static double load(long[] figures, int i) {
        return Double.longBitsToDouble((long) AT.getOpaque(figures, 2 * i + 1));
    }

    private void copy(Backend b, int i) {
        long at, load;
        do {
            at = b.reportNanos();
            load = Double.doubleToRawLongBits(b.reportLoad());
            AT.setVolatile(figures, 2 * i, at);
            AT.setVolatile(figures, 2 * i + 1, load);
        } while (at != b.reportNanos() || load != Double.doubleToRawLongBits(b.reportLoad()));
    }

    /** Back end i's watcher: copies its figures after each report. */
    private record Watcher(ReportFigures to, Backend b, int i) implements Backend.ReportWatcher {
        @Override
        public void reportChanged() {
            to.copy(b, i);
        }

        @Override
        public void dropped() {
            to.current = false;
        }
    }
}
