package io.switchboard.dispatch;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests of one pool waiting for a back end below its {@code max-connections} (HAProxy's server
 * maxconn with the backend queue and {@code set-priority-class}): bounded in length, first in first
 * out within a priority class, lower classes served first. Each waiter has a deadline that its own
 * connection checks; the queue only orders and wakes.
 *
 * <p>Fairness: a new request must not overtake waiters of its own class or a more urgent one
 * ({@link #hasWaitersAtOrBefore}); the dispatcher queues it instead of taking a slot that was freed
 * for them. A waiter that was woken but lost the slot anyway goes back to the front of its class
 * ({@link Ticket#requeue()}), whatever the length limit.
 *
 * <p>No lost wake-up: every wait is a {@link Ticket} that is either woken or cancelled, never both
 * (one compare-and-set decides). A waiter that gives up ({@link Ticket#cancel()}) after it was
 * already woken learns so from {@code cancel() == false} and must pass the wake-up on with {@link
 * #wakeOne()}; so a freed slot always reaches someone who still wants it.
 *
 * <p>Threading: any thread offers, cancels and wakes; a short lock orders the waiters (the queue is
 * only used when back ends are full, never on the common path: {@link #size()} is a volatile read).
 * {@link Waiter#wake()} is called outside the lock and must hand over to the waiter's own thread.
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
        private final AtomicInteger state = new AtomicInteger(WAITING);

        private Ticket(Waiter waiter, int priorityClass) {
            this.waiter = waiter;
            this.priorityClass = priorityClass;
        }

        public int priorityClass() {
            return priorityClass;
        }

        /**
         * Leaves the queue (timeout, client gone). False when the ticket was woken first: a wake-up is
         * then on its way to the waiter, who must pass it on ({@link DispatchQueue#wakeOne()}) if it
         * no longer wants the slot.
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

        /** A woken waiter that found no free slot after all: back to the front of its class, as a new ticket. */
        public Ticket requeue() {
            Ticket t = new Ticket(waiter, priorityClass);
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
    }

    private final TreeMap<Integer, ArrayDeque<Ticket>> classes = new TreeMap<>();
    private final AtomicInteger size = new AtomicInteger();

    /**
     * Joins the back of the waiter's class.
     *
     * @param priorityClass lower is served first (HAProxy's priority classes); 0 is the default
     * @param max           waiters allowed in the whole queue
     * @return the ticket, or null when the queue already holds {@code max} waiters
     */
    public Ticket offer(Waiter waiter, int priorityClass, int max) {
        Ticket t = new Ticket(waiter, priorityClass);
        synchronized (this) {
            if (size.get() >= max) return null;
            classes.computeIfAbsent(priorityClass, c -> new ArrayDeque<>()).addLast(t);
            size.incrementAndGet();
        }
        return t;
    }

    /** Whether someone waits in this class or a more urgent one: a new request of this class must queue behind them. */
    public boolean hasWaitersAtOrBefore(int priorityClass) {
        if (size.get() == 0) return false;
        synchronized (this) {
            return !classes.isEmpty() && classes.firstKey() <= priorityClass;
        }
    }

    /** A slot may have been freed: wakes the first waiter of the most urgent class, if any. */
    public void wakeOne() {
        if (size.get() == 0) return;
        Ticket woken = null;
        synchronized (this) {
            while (woken == null && !classes.isEmpty()) {
                Map.Entry<Integer, ArrayDeque<Ticket>> first = classes.firstEntry();
                Ticket t = first.getValue().pollFirst();
                if (first.getValue().isEmpty()) classes.remove(first.getKey());
                if (t == null) continue;
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
}
