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
 * watcher: a newer tree over it (the pool's next snapshot) takes it over, and this tree then reports
 * itself no longer {@link #current()}, so that its picker falls back to the plain scan for the
 * moments until the new snapshot is published.
 *
 * <p>Threading: writers (event loops reporting a change, and the picker when it expires keys) take a
 * spin lock held for one leaf-to-root walk, O(log n) loads and stores and no allocation, as HAProxy
 * takes a lock per server tree. The key is read from the live counters inside the lock, so once the
 * counters stop changing the tree is exact: the last writer to take the lock read every change made
 * before it, and a change made after that read is followed by its own writer taking the lock. Readers
 * (picks) never lock: they read nodes in opaque mode while writers may be walking, so a pick sees each
 * node as of some recent moment, as a scan sees each counter; a descent that a concurrent write
 * invalidated returns -1 and the caller scans.
 */
final class LoadTree {
    /** The live key of back end i; called under the tree's lock. */
    interface Keys {
        long key(int i);
    }

    private static final VarHandle NODE = MethodHandles.arrayElementVarHandle(long[].class);
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
    private volatile boolean current = true;

    /** One back end's place in this tree: what the back end tells of its changes. */
    private record Leaf(LoadTree tree, int index) implements Backend.LoadWatcher {
        @Override
        public void loadChanged() {
            tree.changed(index);
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
        // Watch first, then fill under the lock: a change racing with the build either waits for the
        // lock and recomputes its leaf afterwards, or happened before the fill read its counters.
        for (int i = 0; i < n; i++) {
            Backend.LoadWatcher before = bs[i].watch(new Leaf(this, i));
            if (before instanceof Leaf old && old.tree != this) old.tree.current = false;
        }
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
    }

    /** Whether this tree still follows its back ends (no newer tree took them over). */
    boolean current() {
        return current;
    }

    /** Back end i's counters changed: recompute its key and the minimums above it. */
    void changed(int i) {
        acquire();
        try {
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
        } finally {
            release();
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
     * round-robin tie-break of {@link TieBreak}. -1 when concurrent writes moved the minimum while
     * this pick descended (the caller then scans).
     */
    int firstMin(int cursor) {
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
