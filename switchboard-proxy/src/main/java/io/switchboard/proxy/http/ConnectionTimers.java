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
    private final BackendConnections backends;
    private FrontendHandler[] handlers = new FrontendHandler[16];
    private int size;
    private ScheduledFuture<?> tick;

    private long now = System.nanoTime();

    ConnectionTimers(EventLoop loop, BackendConnections backends) {
        this.loop = loop;
        this.backends = backends;
        backends.timers(this);
    }

    /** The time of the last tick (or registration): a clock for timeouts, {@link #TICK_MILLIS} coarse, free to read. */
    long now() {
        return now;
    }

    void register(FrontendHandler h) {
        if (size == handlers.length) handlers = Arrays.copyOf(handlers, size * 2);
        handlers[size] = h;
        h.timerSlot = size++;
        now = System.nanoTime();
        ensureTicking();
    }

    /** Starts the tick if it is not running (a connection registered, or an idle back-end connection was pooled). */
    void ensureTicking() {
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
        stopIfIdle();
        if (handlers.length > 64 && size < handlers.length / 4) handlers = Arrays.copyOf(handlers, handlers.length / 2);
    }

    int size() {
        return size;
    }

    private void stopIfIdle() {
        if (size == 0 && backends.idleCount() == 0 && tick != null) {
            tick.cancel(false);
            tick = null;
        }
    }

    private void tick() {
        long now = System.nanoTime();
        this.now = now;
        // Downwards: a handler that unregisters during its check swaps in one already visited.
        for (int i = size - 1; i >= 0; i--) {
            if (i < size) handlers[i].checkDeadline(now);
        }
        backends.closeIdle(now);
        stopIfIdle();
    }
}
