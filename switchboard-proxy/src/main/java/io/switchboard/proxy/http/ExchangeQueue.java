package io.switchboard.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.backend.Backend;
import io.switchboard.balance.PickContext;
import io.switchboard.config.ServiceClassConfig;
import io.switchboard.dispatch.DispatchQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One exchange's wait in its pool's {@link DispatchQueue} while every back end it may use is at
 * {@code max-connections}: its ticket in its service class, its deadline, the wake-up and how it is
 * passed on when the exchange no longer wants it. Made only for a request that has to wait, so the
 * common path allocates nothing for it.
 *
 * <p>Threading: the exchange's event loop, except {@link #wake()}, which the queue calls from any
 * thread and which only hands over to that loop.
 */
final class ExchangeQueue implements DispatchQueue.Waiter {
    private final HttpExchange x;
    private DispatchQueue.Ticket ticket;
    private boolean woken;
    private long deadline;

    ExchangeQueue(HttpExchange x) {
        this.x = x;
    }

    /** Joins the queue of the exchange's class (or its front again after losing a slot); 503 when the class's queue is full. */
    void enqueue(long now, PickContext pc) {
        ServiceClassConfig c = x.classConfig;
        if (ticket != null) {
            // Woken, but the slot went to someone else: back to the front, whatever the length.
            ticket = ticket.requeue();
        } else {
            ticket = x.dispatch.queue().offer(this, x.classRank, c.queueSize(), c.tags(), now,
                    x.poolConfig.classAgeBound().toNanos());
            if (ticket == null) {
                refuse("queue of class '" + c.name() + "' in pool '" + x.dispatch.pool().name() + "' full ("
                        + c.queueSize() + " waiting)");
                return;
            }
            deadline = now + c.queueTimeout().toNanos();
        }
        x.timeouts.set(ExchangeTimeouts.Deadline.QUEUE, deadline);
        // A slot freed on another event loop between our look and the offer woke nobody (the queue
        // was empty then): look once more, now that we are in the queue, so it is not lost.
        Backend room = x.dispatch.roomFor(pc);
        if (room != null) x.dispatch.queue().wakeOne(now, room);
    }

    /** Whether this dispatch follows a wake-up (the slot was freed for it: no fairness check); clears it. */
    boolean takeWoken() {
        boolean w = woken;
        woken = false;
        return w;
    }

    /** 503 for a request its class's queue refused or timed out, with the class's Retry-After. */
    private void refuse(String cause) {
        ExchangeEnd end = x.end;
        end.cause(cause);
        long seconds = x.classConfig.retryAfterSeconds();
        if (seconds > 0) end.retryAfter((int) Math.min(seconds, Integer.MAX_VALUE));
        end.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "all back ends busy", false);
    }

    /** The class's queue timeout fired: leaves the queue and answers 503. */
    void timedOut() {
        if (ticket != null) ticket.cancel(); // if already woken, dequeued() passes the wake-up on
        ServiceClassConfig c = x.classConfig;
        refuse("waited " + c.queueTimeout().toMillis() + " ms in the queue of class '" + c.name() + "' in pool '"
                + x.dispatch.pool().name() + "': every back end at max-connections");
    }

    /** Called from any thread by the pool's queue when a back end freed a slot. */
    @Override
    public void wake() {
        x.conn.ctx.executor().execute(this::dequeued);
    }

    private void dequeued() {
        if (x.phase != HttpExchange.Phase.DISPATCHING || x.conn.closing || !x.timeouts.armed(ExchangeTimeouts.Deadline.QUEUE)) {
            passWakeUpOn(); // we left meanwhile (timeout, client gone)
            return;
        }
        x.timeouts.clear(ExchangeTimeouts.Deadline.QUEUE);
        woken = true;
        x.dispatch();
    }

    /**
     * Passes on the freed slot we were woken for, to a waiter that can use the back end that has room
     * (a class with tags cannot use every one); to the next waiter of any class when none is seen.
     */
    private void passWakeUpOn() {
        long now = System.nanoTime();
        Backend room = x.dispatch.roomFor(new PickContext(0, now, ThreadLocalRandom.current(), null));
        x.dispatch.queue().wakeOne(now, room);
    }

    /** Leaves the queue for good; a wake-up already on its way is passed on by {@link #dequeued}. */
    void leave() {
        if (ticket != null && x.timeouts.armed(ExchangeTimeouts.Deadline.QUEUE)) {
            x.timeouts.clear(ExchangeTimeouts.Deadline.QUEUE);
            ticket.cancel();
        }
    }
}
