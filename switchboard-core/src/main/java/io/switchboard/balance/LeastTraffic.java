package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.load.WindowedCounter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Least traffic first (RFC 2391): the back end with the fewest bytes to or from it over the sliding
 * window ({@link io.switchboard.load.WindowedCounter}), divided by weight. In-flight requests count
 * as {@link Backend#TRAFFIC_PER_REQUEST} bytes each, so a burst of new requests does not all land on
 * the same idle server before any byte is counted; remaining ties are broken round robin
 * ({@link TieBreak}).
 *
 * <p>The scan reads one word per back end, {@link Backend#trafficScore()} (window total plus
 * in-flight allowance, kept up to date by the writers), and multiplies it by an inverse weight
 * computed once per snapshot; the minimum is found without data-dependent branches. The score does
 * not apply the window's idle rule (a back end with no write for a whole window counts 0 bytes), so
 * the picker remembers a time before which no back end can have gone idle: the earliest
 * {@code lastWrite + window} it saw. Write times only grow, so that bound stays valid. Until then
 * every pick is the one-word scan; once it has passed, the next pick scans with the idle rule
 * applied, reading the counters themselves (about twice as slow), and stores the new bound. In a
 * pool with traffic that happens about once per window; while some back end really is idle (it
 * had no traffic for a whole window: a lightly used pool, or a new back end), every pick does it.
 * Either way the pick is the exact least-traffic back end.
 *
 * <p>From {@link LeastConnections#TREE_FROM} back ends a pick does not scan: a {@link LoadTree}
 * keeps two orders of the back ends, by weighted score and by the time each window goes idle, both
 * updated by the counters as they change. A pick first applies the idle rule to the windows that
 * went idle by its clock (each once per idle spell, O(log n), found through the second order), then
 * takes the least score from the cursor, so it is the exact least-traffic back end in O(log n). A
 * redispatch (back ends excluded) scans.
 *
 * <p>Threading: the picker's mutable state is that bound, a cache that any thread may
 * lower or raise with an opaque write (every value ever stored is a valid bound), the tie-break
 * cursor ({@link TieBreak}, lock-free), and the tree with its idle marks, which the event loops
 * and picks update under the tree's lock ({@link LoadTree}). It reads the back ends' live counters.
 */
public final class LeastTraffic implements Algorithm {
    @Override
    public boolean readsTraffic() {
        return true;
    }

    @Override
    public String name() {
        return "least-traffic";
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        return new P(set.eligible(), set.weights(), previous instanceof P p ? p.ties : new TieBreak());
    }

    private static final class P implements Picker {
        private static final VarHandle ACTIVE_UNTIL;

        static {
            try {
                ACTIVE_UNTIL = MethodHandles.lookup().findVarHandle(P.class, "activeUntil", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Backend[] bs;
        /** The back ends' traffic counters, index-aligned, for the idle rule. */
        final WindowedCounter[] traffic;
        final double[] inverseWeight;
        final long[] indices;
        final long positionMask;
        final TieBreak ties;
        /** No back end's window can go idle before this time (see the class comment). */
        @SuppressWarnings("unused") // through ACTIVE_UNTIL
        private long activeUntil;
        /** Null for a pool too small to gain from it. */
        final LoadTree tree;
        /**
         * The idle-from time (last write + window) at which a pick found back end i's window idle;
         * MIN_VALUE when it never did. The window is idle while its idle-from time is still that one
         * (no write since). Written before the tree is told, read under the tree's lock.
         */
        final long[] idledAt;

        P(Backend[] bs, int[] ws, TieBreak ties) {
            this.bs = bs;
            this.ties = ties;
            this.positionMask = (1L << ScanKey.positionBits(bs.length)) - 1;
            this.indices = ScanKey.indices(bs.length);
            this.traffic = new WindowedCounter[bs.length];
            this.inverseWeight = new double[ws.length];
            int n = bs.length;
            for (int i = 0; i < n; i++) {
                bs[i].keepScores();
                traffic[i] = bs[i].traffic();
                inverseWeight[i] = 1.0 / Math.max(1, ws[i]);
            }
            this.activeUntil = Long.MIN_VALUE; // look at the first pick
            this.idledAt = new long[n];
            // never written: idle until the first write (saves the first pick expiring them one by one)
            for (int i = 0; i < n; i++) idledAt[i] = traffic[i].lastWriteNanos() == WindowedCounter.NEVER_WRITTEN ? idleFrom(i) : Long.MIN_VALUE;
            this.tree = n >= LeastConnections.TREE_FROM ? new LoadTree(bs, this::loadKey, this::idleKey) : null;
        }

        private long idleFrom(int i) {
            WindowedCounter t = traffic[i];
            return t.lastWriteNanos() + t.windowNanos();
        }

        /** The tree's load key of back end i: the scans' score, with the idle rule once a pick applied it. */
        private long loadKey(int i) {
            Backend b = bs[i];
            double score = idleFrom(i) <= idledAt[i] ? Backend.TRAFFIC_PER_REQUEST * b.inFlight() : b.trafficScore();
            return ScanKey.sortable(score * inverseWeight[i]);
        }

        /** The tree's second key of back end i: when its window goes idle; MAX_VALUE once a pick found it idle. */
        private long idleKey(int i) {
            long from = idleFrom(i);
            return from <= idledAt[i] ? Long.MAX_VALUE : from;
        }

        /**
         * Applies the idle rule to every back end whose window went idle by {@code now}, so that the
         * tree's loads are what {@link #scanWindows} would compute: each back end once per idle
         * spell, O(log n) each.
         */
        private void expire(LoadTree t, long now) {
            for (int k = 0; k < bs.length && t.min(1) <= now; k++) {
                int i = t.firstAtMost(1, 0, now);
                if (i < 0) return;
                idledAt[i] = idleFrom(i);
                t.changed(i);
            }
        }

        /** The pick from the tree, or null when there is none or a concurrent write spoilt it (then scan). */
        private Backend fromTree(PickContext ctx) {
            LoadTree t = tree;
            if (t == null || !ctx.exclude().isEmpty() || !t.current()) return null;
            long now = ctx.nowNanos();
            t.settle();
            if (t.min(1) <= now) expire(t, now);
            int n = bs.length;
            int winner = t.firstMin(ties.start(n));
            if (winner < 0) return null;
            ties.won(winner, n);
            return bs[winner];
        }

        @Override
        public Backend pick(PickContext ctx) {
            Backend fromTree = fromTree(ctx);
            if (fromTree != null) return fromTree;
            int n = bs.length;
            int cursor = ties.start(n);
            long now = ctx.nowNanos();
            if (now < (long) ACTIVE_UNTIL.getOpaque(this)) return scanScores(ctx, cursor);
            return scanWindows(ctx, cursor, now);
        }

        /** The scan while no back end is idle: one score per back end. */
        private Backend scanScores(PickContext ctx, int cursor) {
            Backend[] bs = this.bs;
            double[] inv = this.inverseWeight;
            long[] indices = this.indices;
            long mask = positionMask;
            boolean filter = !ctx.exclude().isEmpty();
            long best = Long.MAX_VALUE;
            int n = bs.length;
            for (int i = 0; i < n; i++) {
                Backend b = bs[i];
                // Scores are never negative (a negative one is a caller's bug and then sorts first),
                // so the raw bits order them.
                long key = ScanKey.ofNonNegative(b.trafficScore() * inv[i], ScanKey.position(indices[i], cursor, n), mask);
                if (filter && ctx.excluded(b)) key = Long.MAX_VALUE;
                best = Math.min(best, key);
            }
            return won(best, cursor);
        }

        /**
         * The scan with the idle rule ({@link WindowedCounter#sum}: a window's bytes count only if it
         * was written within the window), from the counters themselves. It also stores the new bound:
         * the earliest time one of these windows goes idle.
         */
        private Backend scanWindows(PickContext ctx, int cursor, long now) {
            Backend[] bs = this.bs;
            WindowedCounter[] traffic = this.traffic;
            double[] inv = this.inverseWeight;
            long[] indices = this.indices;
            long mask = positionMask;
            boolean filter = !ctx.exclude().isEmpty();
            long best = Long.MAX_VALUE;
            long activeUntil = Long.MAX_VALUE;
            int n = bs.length;
            for (int i = 0; i < n; i++) {
                Backend b = bs[i];
                WindowedCounter t = traffic[i];
                long idleFrom = t.lastWriteNanos() + t.windowNanos();
                activeUntil = Math.min(activeUntil, idleFrom);
                long bytes = now < idleFrom ? t.total() : 0;
                double score = (bytes + Backend.TRAFFIC_PER_REQUEST * b.inFlight()) * inv[i];
                long key = ScanKey.ofNonNegative(score, ScanKey.position(indices[i], cursor, n), mask);
                if (filter && ctx.excluded(b)) key = Long.MAX_VALUE;
                best = Math.min(best, key);
            }
            ACTIVE_UNTIL.setOpaque(this, activeUntil);
            return won(best, cursor);
        }
    
        private Backend won(long best, int cursor) {
            if (best == Long.MAX_VALUE) return null;
            int n = bs.length;
            int winner = ScanKey.index(best, positionMask, cursor, n);
            ties.won(winner, n);
            return bs[winner];
        }
    }
}
