package io.switchboard.balance;

import io.switchboard.backend.Backend;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A tournament tree (a segment tree of minimums) over one snapshot's eligible back ends, so that a
 * least-something pick is O(log n) instead of a scan of every back end: HAProxy keeps its leastconn
 * servers in an ebtree for the same reason. Leaf i holds back end i's key (lower is better, signed
 * long order), each inner node the minimum of its two children.
 *
 * <p>The keys follow the back ends' live counters: the tree installs itself as each back end's
 * {@link Backend.LoadWatcher}, and every change of a back end's in-flight count or scores
 * ({@link Backend#onDispatch()}, {@code onComplete}, {@code onRelease}, bytes, latency) recomputes
 * that back end's key and walks up until a node's minimum does not change. A back end has one
 * watcher: a newer tree over it (the pool's next snapshot) takes it over, or the pool drops it when
 * its algorithm changes, and this tree then reports itself no longer {@link #current()}, so that its
 * picker falls back to the plain scan for the moments until the new snapshot is published.
 *
 * <p>Threading: writers (event loops reporting a change, and the picker when it expires keys) never
 * wait. One that finds the tree's lock free takes it for one leaf-to-root walk, O(log n) loads and
 * stores and no allocation (HAProxy takes a lock per server tree for the same walk). One that finds
 * it taken leaves a mark (a bit per back end, one atomic OR) and goes on; whoever holds the lock
 * applies the marks before it leaves ({@link #settle}), and so does every writer after its own
 * walk or mark, and every pick that sees marks waiting: a writer that finds the lock taken
 * therefore costs a few atomic operations, however long the holder is descheduled. The key is read
 * from the live counters under the lock, so once the counters stop changing (and the marks left are
 * applied, which the next pick does first) the tree is exact: the last walk over a leaf read every
 * change made before it, and a change made after that read is followed by its writer's own walk or
 * mark. Readers (picks) never lock: they read nodes in opaque mode while writers may be walking, so
 * a pick sees each node as of some recent moment, as a scan sees each counter; a descent that a
 * concurrent write invalidated returns -1 and the caller scans.
 */
final class LoadTree {
    /** The live key of back end i; called under the tree's lock. */
    interface Keys {
        long key(int i);
    }

    private static final VarHandle NODE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle MARKS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Rounds of marks one {@link #settle} applies at most. */
    static final int SETTLE_ROUNDS = 4;
    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(LoadTree.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int n;
    /** Leaves start here; a power of two. */
    private final int leaves;
    /**
     * One array per key set. Heap layout: root at 1, children of k at 2k and 2k + 1, leaf i at
     * leaves + i; padding leaves hold MAX_VALUE.
     */
    private final long[][] nodes;
    private final Keys[] keys;
    @SuppressWarnings("unused") // through LOCK
    private int lock;
    /** Bit i: back end i changed while the lock was taken, not yet applied. */
    private final long[] dirty;
    /** Bit w: word w of {@link #dirty} may have marks. */
    private final long[] summary;
    /** Non-zero while marks may be waiting; cleared by the lock's holder before it reads them. */
    private volatile int pending;
    private volatile boolean current = true;

    /** One back end's place in this tree: what the back end tells of its changes. */
    private record Leaf(LoadTree tree, int index) implements Backend.LoadWatcher {
        @Override
        public void loadChanged() {
            tree.changed(index);
        }

        @Override
        public void dropped() {
            tree.current = false;
        }
    }

    /**
     * Builds the tree over {@code bs} and installs it as their watcher: one set of minimums per key
     * function (a picker that needs two orders, as least-traffic's loads and expiry times, keeps them
     * under one lock and one watcher). Called on the pool's writer when a picker is built.
     */
    LoadTree(Backend[] bs, Keys... keys) {
        this.n = bs.length;
        this.keys = keys.clone();
        int l = 1;
        while (l < Math.max(1, n)) l <<= 1;
        this.leaves = l;
        this.nodes = new long[keys.length][2 * l];
        this.dirty = new long[(Math.max(1, n) + 63) >>> 6];
        this.summary = new long[(dirty.length + 63) >>> 6];
        // Watch first, then fill under the lock: a change racing with the build either finds the lock
        // taken and leaves a mark, applied below, or happened before the fill read its counters.
        for (int i = 0; i < n; i++) bs[i].watch(new Leaf(this, i));
        acquire();
        try {
            for (int t = 0; t < keys.length; t++) {
                long[] node = nodes[t];
                for (int i = 0; i < l; i++) node[l + i] = i < n ? keys[t].key(i) : Long.MAX_VALUE;
                for (int k = l - 1; k >= 1; k--) node[k] = Math.min(node[2 * k], node[2 * k + 1]);
            }
            VarHandle.releaseFence();
        } finally {
            release();
        }
        settle();
    }

    /** Whether this tree still follows its back ends (no newer tree took them over). */
    boolean current() {
        return current;
    }

    /**
     * Back end i's counters changed: recompute its key and the minimums above it, now if the lock is
     * free, else leave a mark for the lock's holder to do it (see the class comment). Never waits.
     */
    void changed(int i) {
        if (tryLock()) {
            try {
                update(i);
            } finally {
                release();
            }
        } else {
            mark(i);
        }
        settle();
    }

    /**
     * Applies the marks left by writers that found the lock taken, as long as there are some and
     * the lock is free; a bounded number of rounds, so no caller works for the others for long. A
     * mark left after the last round is applied by the next writer or pick.
     */
    void settle() {
        for (int round = 0; round < SETTLE_ROUNDS && pending != 0 && tryLock(); round++) {
            try {
                pending = 0; // before reading the marks: a mark made after this read sets it again
                for (int s = 0; s < summary.length; s++) {
                    long words = (long) MARKS.getAndSet(summary, s, 0L);
                    while (words != 0) {
                        int w = (s << 6) + Long.numberOfTrailingZeros(words);
                        words &= words - 1;
                        long bits = (long) MARKS.getAndSet(dirty, w, 0L);
                        while (bits != 0) {
                            update((w << 6) + Long.numberOfTrailingZeros(bits));
                            bits &= bits - 1;
                        }
                    }
                }
            } finally {
                release();
            }
        }
    }

    /** Runs r holding the lock, as a writer's walk would (tests: what other writers do meanwhile). */
    void whileLocked(Runnable r) {
        acquire();
        try {
            r.run();
        } finally {
            release();
        }
    }

    /** Whether writers left marks not yet applied. */
    boolean unsettled() {
        return pending != 0;
    }

    private void mark(int i) {
        int w = i >>> 6;
        long before = (long) MARKS.getAndBitwiseOr(dirty, w, 1L << i);
        if (before == 0) MARKS.getAndBitwiseOr(summary, w >>> 6, 1L << w);
        // Read first, so that writers in a burst do not all write the line. Safe: a 1 read after the
        // mark was set is cleared only by a holder that reads the marks after clearing it.
        if (pending == 0) pending = 1;
    }

    /** Test and test-and-set: a taken lock is only read, so failing writers do not pull its line back and forth. */
    private boolean tryLock() {
        return (int) LOCK.getOpaque(this) == 0 && LOCK.compareAndSet(this, 0, 1);
    }

    /** Under the lock: recompute back end i's keys from its live counters and walk up while minimums change. */
    private void update(int i) {
        for (int t = 0; t < keys.length; t++) {
            long[] node = nodes[t];
            int k = leaves + i;
            long v = keys[t].key(i);
            if (v == (long) NODE.getOpaque(node, k)) continue;
            NODE.setOpaque(node, k, v);
            for (k >>>= 1; k >= 1; k >>>= 1) {
                long m = Math.min((long) NODE.getOpaque(node, 2 * k), (long) NODE.getOpaque(node, 2 * k + 1));
                if (m == (long) NODE.getOpaque(node, k)) break;
                NODE.setOpaque(node, k, m);
            }
        }
    }

    /** The smallest key of the first key set; MAX_VALUE for an empty tree. */
    long min() {
        return min(0);
    }

    /** The smallest key of key set t. */
    long min(int t) {
        return (long) NODE.getOpaque(nodes[t], 1);
    }

    /** Back end i's key in the first set, as last computed. */
    long key(int i) {
        return (long) NODE.getOpaque(nodes[0], leaves + i);
    }

    /**
     * The first back end at or after {@code cursor}, wrapping around, whose key is the minimum: the
     * round-robin tie-break of {@link TieBreak}, after applying any marks waiting. -1 when concurrent
     * writes moved the minimum while this pick descended (the caller then scans).
     */
    int firstMin(int cursor) {
        settle();
        long m = min();
        int i = firstAtMost(0, cursor, m);
        if (i < 0 && cursor > 0) i = firstAtMost(0, 0, m);
        return i;
    }

    /** The first leaf at or after {@code from} whose key in set t is at most m, or -1. */
    int firstAtMost(int t, int from, long m) {
        long[] node = nodes[t];
        int k = leaves + from;
        while ((long) NODE.getOpaque(node, k) > m) {
            // climb while k is a right child, then step to the subtree just right of it
            while ((k & 1) == 1) {
                k >>>= 1;
                if (k <= 1) return -1;
            }
            k++;
        }
        while (k < leaves) {
            k <<= 1;
            if ((long) NODE.getOpaque(node, k) > m) k++;
        }
        int i = k - leaves;
        return i < n && (long) NODE.getOpaque(node, k) <= m ? i : -1;
    }

    private void acquire() {
        int spins = 0;
        while (!LOCK.weakCompareAndSetAcquire(this, 0, 1)) {
            // the holder walks O(log n) nodes; yield only if it was descheduled
            if (++spins < 100) Thread.onSpinWait(); else Thread.yield();
        }
    }

    private void release() {
        LOCK.setRelease(this, 0);
    }
}
