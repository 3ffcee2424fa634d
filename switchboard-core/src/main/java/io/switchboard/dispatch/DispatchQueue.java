package io.switchboard.dispatch;

import io.switchboard.backend.Backend;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests of one pool waiting for a back end below its {@code max-connections} (HAProxy's server
 * maxconn with the backend queue and {@code set-priority-class}): bounded in length per priority
 * class, first in first out within a class, lower classes served first. Each waiter has a deadline
 * that its own connection checks; the queue only orders and wakes.
 *
 * <p>Service classes: a class is a priority ({@link Ticket#priorityClass()}, the rank of the class in
 * its pool), a length limit ({@code max} of {@link #offer}), an age bound and tags. The age bound
 * keeps a busy urgent class from starving the others: a waiter that has waited at least its bound is
 * served before any class, oldest first. A waiter with tags only wants back ends that carry them, so
 * a slot freed on another back end wakes the next waiter that can use it ({@link #wakeOne(long,
 * Backend)}). Time is always an argument: the queue never reads a clock.
 *
 * <p>Fairness: a new request must not overtake waiters of its own class or a more urgent one, nor
 * one that has waited past its bound ({@link #hasWaitersAtOrBefore}); the dispatcher queues it instead
 * of taking a slot that was freed for them. A waiter that was woken but lost the slot anyway goes back
 * to the front of its class ({@link Ticket#requeue()}), whatever the length limit, keeping its age.
 *
 * <p>No lost wake-up: every wait is a {@link Ticket} that is either woken or cancelled, never both
 * (one compare-and-set decides). A waiter that gives up ({@link Ticket#cancel()}) after it was
 * already woken learns so from {@code cancel() == false} and must pass the wake-up on with {@link
 * #wakeOne(long)}; so a freed slot always reaches someone who still wants it.
 *
 * <p>Threading: any thread offers, cancels and wakes; a short lock orders the waiters (the queue is
 * only used when back ends are full, never on the common path: {@link #size()} is a volatile read).
 * A wake-up looks at the head of each class: O(classes), a handful. {@link Waiter#wake()} is called
 * outside the lock and must hand over to the waiter's own thread.
 */
public final class DispatchQueue {
    /** Who waits: told once, from any thread, that a slot may be free. */
    public interface Waiter {
        void wake();
    }

    private static final int WAITING = 0, WOKEN = 1, CANCELLED = 2;

    /** One wait of one request. */
    public final class Ticket {
        private final Waiter waiter;
        private final int priorityClass;
        private final Set<String> tags;
        private final long enqueuedNanos;
        private final long ageBoundNanos; // 0: never promoted
        private final AtomicInteger state = new AtomicInteger(WAITING);

        private Ticket(Waiter waiter, int priorityClass, Set<String> tags, long enqueuedNanos, long ageBoundNanos) {
            this.waiter = waiter;
            this.priorityClass = priorityClass;
            this.tags = tags;
            this.enqueuedNanos = enqueuedNanos;
            this.ageBoundNanos = ageBoundNanos;
        }

        public int priorityClass() {
            return priorityClass;
        }

        /**
         * Leaves the queue (timeout, client gone). False when the ticket was woken first: a wake-up is
         * then on its way to the waiter, who must pass it on ({@link DispatchQueue#wakeOne(long)}) if
         * it no longer wants the slot.
         */
        public boolean cancel() {
            if (!state.compareAndSet(WAITING, CANCELLED)) return false;
            synchronized (DispatchQueue.this) {
                ArrayDeque<Ticket> q = classes.get(priorityClass);
                if (q != null && q.remove(this)) {
                    if (q.isEmpty()) classes.remove(priorityClass);
                    size.decrementAndGet();
                }
            }
            return true;
        }

        /** A woken waiter that found no free slot after all: back to the front of its class, as a new ticket of the same age. */
        public Ticket requeue() {
            Ticket t = new Ticket(waiter, priorityClass, tags, enqueuedNanos, ageBoundNanos);
            synchronized (DispatchQueue.this) {
                classes.computeIfAbsent(priorityClass, c -> new ArrayDeque<>()).addFirst(t);
                size.incrementAndGet();
            }
            return t;
        }

        /** The queue this ticket waits in (to pass a wake-up on). */
        public DispatchQueue queue() {
            return DispatchQueue.this;
        }

        boolean aged(long nowNanos) {
            return ageBoundNanos > 0 && nowNanos - enqueuedNanos >= ageBoundNanos;
        }

        boolean canUse(Backend freed) {
            return freed == null || tags.isEmpty() || freed.tags().containsAll(tags);
        }
    }

    private final TreeMap<Integer, ArrayDeque<Ticket>> classes = new TreeMap<>();
    private final AtomicInteger size = new AtomicInteger();

    /** Joins the back of the waiter's class: no tags, never promoted by age. */
    public Ticket offer(Waiter waiter, int priorityClass, int max) {
        return offer(waiter, priorityClass, max, Set.of(), 0, 0);
    }

    /**
     * Joins the back of the waiter's class.
     *
     * @param priorityClass lower is served first (the rank of the request's service class)
     * @param max           waiters of this class allowed at once
     * @param tags          the back ends this waiter can use carry all of these; empty: any
     * @param ageBoundNanos once it has waited this long, the waiter is served before every class;
     *                      0: never
     * @return the ticket, or null when the class already holds {@code max} waiters
     */
    public Ticket offer(Waiter waiter, int priorityClass, int max, Set<String> tags, long nowNanos, long ageBoundNanos) {
        Ticket t = new Ticket(waiter, priorityClass, tags, nowNanos, ageBoundNanos);
        synchronized (this) {
            ArrayDeque<Ticket> q = classes.get(priorityClass);
            if ((q == null ? 0 : q.size()) >= max) return null;
            if (q == null) classes.put(priorityClass, q = new ArrayDeque<>());
            q.addLast(t);
            size.incrementAndGet();
        }
        return t;
    }

    /** Whether someone waits in this class or a more urgent one, with no regard to age. */
    public boolean hasWaitersAtOrBefore(int priorityClass) {
        return hasWaitersAtOrBefore(priorityClass, 0, false);
    }

    /**
     * Whether a new request of this class must queue behind those already waiting: someone waits in
     * this class or a more urgent one, or has waited past its age bound.
     */
    public boolean hasWaitersAtOrBefore(int priorityClass, long nowNanos) {
        return hasWaitersAtOrBefore(priorityClass, nowNanos, true);
    }

    private boolean hasWaitersAtOrBefore(int priorityClass, long nowNanos, boolean byAge) {
        if (size.get() == 0) return false;
        synchronized (this) {
            if (classes.isEmpty()) return false;
            if (classes.firstKey() <= priorityClass) return true;
            if (byAge) {
                for (ArrayDeque<Ticket> q : classes.values()) {
                    Ticket head = q.peekFirst();
                    if (head != null && head.aged(nowNanos)) return true;
                }
            }
            return false;
        }
    }

    /** A slot may have been freed on any back end: see {@link #wakeOne(long, Backend)}. */
    public void wakeOne(long nowNanos) {
        wakeOne(nowNanos, null);
    }

    /**
     * A slot may have been freed on {@code freed} (null: on some back end): wakes the oldest waiter
     * that has waited past its age bound, else the first waiter of the most urgent class; in both
     * cases only waiters that can use {@code freed}.
     */
    public void wakeOne(long nowNanos, Backend freed) {
        if (size.get() == 0) return;
        Ticket woken = null;
        synchronized (this) {
            // Bounded: every round removes one ticket, or stops.
            while (woken == null && !classes.isEmpty()) {
                Map.Entry<Integer, ArrayDeque<Ticket>> target = null, oldest = null;
                for (Map.Entry<Integer, ArrayDeque<Ticket>> e : classes.entrySet()) {
                    Ticket head = e.getValue().peekFirst();
                    if (head == null || !head.canUse(freed)) continue;
                    if (target == null) target = e;
                    if (head.aged(nowNanos)
                            && (oldest == null || head.enqueuedNanos - oldest.getValue().peekFirst().enqueuedNanos < 0)) {
                        oldest = e;
                    }
                }
                if (oldest != null) target = oldest;
                if (target == null) break;
                Ticket t = target.getValue().pollFirst();
                if (target.getValue().isEmpty()) classes.remove(target.getKey());
                size.decrementAndGet();
                if (t.state.compareAndSet(WAITING, WOKEN)) woken = t;
            }
        }
        if (woken != null) woken.waiter.wake();
    }

    /** Waiters now (for metrics and the fast-path check). */
    public int size() {
        return size.get();
    }

    /** Waiters of one class now (for metrics; takes the lock). */
    public int size(int priorityClass) {
        if (size.get() == 0) return 0;
        synchronized (this) {
            ArrayDeque<Ticket> q = classes.get(priorityClass);
            return q == null ? 0 : q.size();
        }
    }
}
