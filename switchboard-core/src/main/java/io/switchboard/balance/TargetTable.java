package io.switchboard.balance;

import io.switchboard.backend.Backend;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The locality-aware algorithms' memory ({@link Lard}, {@link LardR}): which back ends serve each
 * target, keyed by the request's 64-bit affinity hash ({@link PickContext#hash()}), bounded in size.
 *
 * <p>One table per pool: a picker built for a new snapshot takes over its predecessor's table (as
 * the scanning pickers take over their {@link TieBreak}), so a membership change keeps every
 * target's assignment. Entries hold {@link Backend} references, which the pool keeps for as long as
 * the server is a member; a picker treats an assigned back end that is not eligible in its own
 * snapshot (removed, down, drained) as absent and reassigns the target on its next request.
 *
 * <p>Why a {@link ConcurrentHashMap} of small per-target records: every event loop reads and
 * writes it on every request, for different targets at once. A map lookup takes no lock (reads
 * never block, inserts lock one bin), and a target's assignment is one immutable {@link Assignment}
 * swapped with a compare-and-set, so loops serving different targets never contend and loops
 * serving the same target race only on that record. A synchronized LRU map ({@code LinkedHashMap}
 * in access order) would be exact but would serialize every pick of the pool behind one lock; a
 * cache library is not worth a dependency in the JDK-only core. The cost is boxing the key.
 *
 * <p>Bound: at most {@code capacity} targets, evicting the least recently used in batches. Each
 * record carries the time it was last used (the pick's {@code nowNanos}, rewritten only when it moved
 * by more than {@link #TOUCH_NANOS}, so a hot target does not make every loop write its cache line
 * on every request). An insert that takes the table past capacity sweeps: one thread at a time
 * (others skip the sweep and go on) finds the cut-off time below which the oldest
 * {@code capacity / 16 + excess} records lie, by sorting the stamps, and removes those. That is
 * O(capacity log capacity) once per capacity / 16 inserts, a few hundred operations per insert
 * amortized, and nothing on a hit. Inserts racing with a sweep may overshoot the cap by as many
 * as race; the next insert sweeps again.
 *
 * <p>Threading: any thread; lock-free except the sweep's try-lock, which no pick waits for.
 */
final class TargetTable {
    /** Targets kept per pool unless told otherwise: the 65,536. */
    static final int DEFAULT_CAPACITY = 1 << 16;
    /** Recency granularity: 1 ms. */
    static final long TOUCH_NANOS = 1_000_000L;

    /** Which back ends serve a target and when that last changed; immutable, replaced whole. */
    record Assignment(Backend[] servers, long modifiedNanos) {}

    /** One target's record. */
    static final class Target {
        private static final VarHandle ASSIGNMENT;

        static {
            try {
                ASSIGNMENT = MethodHandles.lookup().findVarHandle(Target.class, "assignment", Assignment.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** null until the first pick assigns the target. */
        private volatile Assignment assignment;
        /** The last pick's clock, to within {@link #TOUCH_NANOS}; read by the sweep only. */
        private volatile long usedNanos;

        Target(long now) {
            this.usedNanos = now;
        }

        Assignment assignment() {
            return assignment;
        }

        /**
         * Replaces {@code expected} with {@code next}; false when another thread changed it first, in
         * which case its decision stands (a pick never retries: it serves its own choice).
         */
        boolean replace(Assignment expected, Assignment next) {
            return ASSIGNMENT.compareAndSet(this, expected, next);
        }

        long usedNanos() {
            return usedNanos;
        }

        void touch(long now) {
            long used = usedNanos;
            if (now - used > TOUCH_NANOS || used - now > TOUCH_NANOS) usedNanos = now;
        }
    }

    private final int capacity;
    private final ConcurrentHashMap<Long, Target> targets;
    private final ReentrantLock sweeping = new ReentrantLock();

    TargetTable(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("a target table needs room for at least 1 target, got " + capacity);
        this.capacity = capacity;
        this.targets = new ConcurrentHashMap<>(Math.min(capacity, DEFAULT_CAPACITY));
    }

    int capacity() {
        return capacity;
    }

    int size() {
        return targets.size();
    }

    /** The target's record, created empty when it is new (or was evicted), marked used now. */
    Target target(long key, long now) {
        Long k = key;
        Target t = targets.get(k);
        if (t != null) {
            t.touch(now);
            return t;
        }
        Target fresh = new Target(now);
        t = targets.putIfAbsent(k, fresh);
        if (t != null) {
            t.touch(now);
            return t;
        }
        if (targets.size() > capacity) sweep();
        return fresh;
    }

    /** The record of a target if the table has it, without marking it used (tests, diagnostics). */
    Target peek(long key) {
        return targets.get(key);
    }

    private void sweep() {
        if (!sweeping.tryLock()) return;
        try {
            int size = targets.size();
            if (size <= capacity) return;
            int evict = Math.min(size, size - capacity + Math.max(1, capacity / 16));
            long[] stamps = new long[size];
            int n = 0;
            for (Target t : targets.values()) {
                if (n == stamps.length) break; // inserts since size(): they are the newest anyway
                stamps[n++] = t.usedNanos();
            }
            evict = Math.min(evict, n);
            Arrays.sort(stamps, 0, n);
            long cutoff = stamps[evict - 1];
            // Strictly older first, then ties at the cut-off until the count is reached.
            int removed = 0;
            for (Iterator<Target> it = targets.values().iterator(); it.hasNext() && removed < evict; ) {
                if (it.next().usedNanos() < cutoff) {
                    it.remove();
                    removed++;
                }
            }
            for (Iterator<Target> it = targets.values().iterator(); it.hasNext() && removed < evict; ) {
                if (it.next().usedNanos() == cutoff) {
                    it.remove();
                    removed++;
                }
            }
        } finally {
            sweeping.unlock();
        }
    }
}
