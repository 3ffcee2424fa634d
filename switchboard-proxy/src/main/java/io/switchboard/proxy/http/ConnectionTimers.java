package io.switchboard.proxy.http;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one event loop's client connections, checked by one periodic tick instead of a
 * scheduled task per request.
 *
 * <p>Each connection has a single deadline field (head, response, body rate or idle, whichever phase
 * it is in); arming a timeout is a field write, not a priority-queue insertion and cancellation, which
 * profiling showed as several per cent of CPU at tens of thousands of requests per second. The tick
 * visits every registered connection, so a timeout fires up to {@link #TICK_MILLIS} late; the tick
 * stops while the loop has no connections.
 *
 * <p>Threading: confined to its event loop.
 */
final class ConnectionTimers {
    static final long TICK_MILLIS = 100;

    private final EventLoop loop;
    private FrontendHandler[] handlers = new FrontendHandler[16];
    private int size;
    private ScheduledFuture<?> tick;

    ConnectionTimers(EventLoop loop) {
        this.loop = loop;
    }

    void register(FrontendHandler h) {
        if (size == handlers.length) handlers = Arrays.copyOf(handlers, size * 2);
        handlers[size] = h;
        h.timerSlot = size++;
        if (tick == null) {
            tick = loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void unregister(FrontendHandler h) {
        int i = h.timerSlot;
        if (i < 0 || i >= size || handlers[i] != h) return;
        FrontendHandler last = handlers[--size];
        handlers[i] = last;
        last.timerSlot = i;
        handlers[size] = null;
        h.timerSlot = -1;
        if (size == 0 && tick != null) {
            tick.cancel(false);
            tick = null;
        }
        if (handlers.length > 64 && size < handlers.length / 4) handlers = Arrays.copyOf(handlers, handlers.length / 2);
    }

    int size() {
        return size;
    }

    private void tick() {
        long now = System.nanoTime();
        // Downwards: a handler that unregisters during its check swaps in one already visited.
        for (int i = size - 1; i >= 0; i--) {
            if (i < size) handlers[i].checkDeadline(now);
        }
    }
}
