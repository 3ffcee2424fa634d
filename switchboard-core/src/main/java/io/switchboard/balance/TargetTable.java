package io.switchboard.balance;

import io.switchboard.backend.Backend;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

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
 * cache library is not worth a dependency in the JDK-only core. The keys are {@link Key}s, not
 * boxed longs: a lookup fills this thread's probe key, so only a new target allocates.
 *
 * <p>Bound: at most {@code capacity} targets plus one per insert in progress, evicting the least
 * recently used approximately, with the second-chance ("clock") rule: keys wait in a lock-free FIFO
 * in the order they were inserted; a hit sets the record's reference bit (a write only when it was
 * clear, so a hot target does not make every loop write its cache line on every request); an insert
 * that takes the table over capacity takes keys from the head of the FIFO, sends a referenced one
 * back to the tail with its bit cleared, and removes the first unreferenced one. Each insert does
 * this work itself, at most {@link #SECOND_CHANCES} keys, then removes the next key whatever its bit,
 * so the table never grows past the cap by more than the inserts running at once, no thread ever
 * waits for another, and a hit costs nothing but the lookup. An exact LRU list would need a lock or
 * a CAS-linked list touched on every hit.
 *
 * <p>Threading: any thread; lock-free.
 */
final class TargetTable {
    /** Targets kept per pool unless told otherwise: the 65,536. */
    static final int DEFAULT_CAPACITY = 1 << 16;
    /** Referenced keys an insert sends back to the tail before it removes one regardless. */
    static final int SECOND_CHANCES = 8;

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
        /** Set by a hit, cleared when the key gets its second chance. */
        private volatile boolean referenced;

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

        /**
         * After a lost {@link #replace}: the back end the winning thread gave the target, when this
         * request may use it, so that concurrent first requests for a new target all land on the one
         * server it now has; else {@code mine}.
         */
        Backend winner(LoadScan scan, PickContext ctx, Backend mine) {
            Assignment won = assignment;
            Backend w = won == null ? null : won.servers()[0];
            return w != null && scan.indexOf(w) >= 0 && !ctx.excluded(w) ? w : mine;
        }

        boolean referenced() {
            return referenced;
        }

        void touch() {
            if (!referenced) referenced = true;
        }
    }

    /**
     * A target's key in the map. Stored keys are never changed; a thread's probe ({@link #PROBE}) is
     * refilled for each lookup, which is why the value is not final.
     */
    static final class Key {
        long value;

        Key(long value) {
            this.value = value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.value == value;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(value);
        }
    }

    /** Each thread's lookup key, so that a lookup allocates nothing (the map only reads it during get). */
    private static final ThreadLocal<Key> PROBE = ThreadLocal.withInitial(() -> new Key(0));

    private final int capacity;
    private final ConcurrentHashMap<Key, Target> targets;
    /** Every key in the table once, oldest insert (or second chance) first. */
    private final ConcurrentLinkedQueue<Key> order = new ConcurrentLinkedQueue<>();

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

    /** The target's record, created empty when it is new (or was evicted); a hit marks it used. */
    Target target(long key) {
        Key probe = PROBE.get();
        probe.value = key;
        Target t = targets.get(probe);
        if (t != null) {
            t.touch();
            return t;
        }
        Key k = new Key(key);
        Target fresh = new Target();
        t = targets.putIfAbsent(k, fresh);
        if (t != null) {
            t.touch();
            return t;
        }
        order.offer(k);
        if (targets.size() > capacity) evictOne();
        return fresh;
    }

    /** The record of a target if the table has it, without marking it used (tests, diagnostics). */
    Target peek(long key) {
        return targets.get(new Key(key));
    }

    private void evictOne() {
        for (int polled = 0; polled <= SECOND_CHANCES; polled++) {
            Key k = order.poll();
            if (k == null) return; // racing inserts have not queued their keys yet
            Target t = targets.get(k);
            if (t == null) continue;
            if (t.referenced() && polled < SECOND_CHANCES) {
                t.referenced = false;
                order.offer(k);
                continue;
            }
            targets.remove(k, t);
            return;
        }
    }
}
