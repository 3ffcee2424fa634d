package io.switchboard.proxy.http;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests of one pool waiting for a back end below its {@code max-connections} (HAProxy's server
 * maxconn + backend queue): bounded in length; each waiter also has a deadline (the pool's
 * {@code queue-timeout}, checked by its connection's timers).
 *
 * <p>Threading: any event loop offers and wakes; a woken waiter continues on its own loop. A waiter
 * that times out or whose client left may already have been polled: it then passes the wake-up on,
 * so a freed slot is never lost.
 */
final class DispatchQueue {
    private final ConcurrentLinkedDeque<FrontendHandler> waiters = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();

    /** @return false when the queue already holds {@code max} waiters */
    boolean offer(FrontendHandler h, int max) {
        if (size.incrementAndGet() > max) {
            size.decrementAndGet();
            return false;
        }
        waiters.addLast(h);
        return true;
    }

    /** A woken waiter that found no free slot after all: back to the front, whatever the length. */
    void offerFirst(FrontendHandler h) {
        size.incrementAndGet();
        waiters.addFirst(h);
    }

    void remove(FrontendHandler h) {
        if (waiters.remove(h)) size.decrementAndGet();
    }

    /** A back end of the pool finished a request: let the oldest waiter try again. */
    void wakeOne() {
        if (size.get() == 0) return;
        FrontendHandler h = waiters.pollFirst();
        if (h == null) return;
        size.decrementAndGet();
        h.wake();
    }

    int size() {
        return size.get();
    }
}
