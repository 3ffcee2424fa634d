package io.switchboard.proxy.http;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>One connection's check that throws is logged and the connection closed; the tick goes on for
 * every other connection (a periodic task that throws is never run again, which would silently
 * stop every timeout on the loop).
 *
 * <p>Threading: confined to its event loop.
 */
final class ConnectionTimers {
    private static final Logger log = LoggerFactory.getLogger(ConnectionTimers.class);
    static final long TICK_MILLIS = 100;

    /** What the tick visits: one client connection. */
    interface Timed {
        /** Fires whatever deadline passed; called on the loop every tick. */
        void checkDeadline(long now);

        /** The check threw: give up on this connection. */
        void timerFailed(RuntimeException e);

        int timerSlot();

        void timerSlot(int slot);
    }

    private final EventLoop loop;
    private final BackendConnections backends;
    private Timed[] handlers = new Timed[16];
    private int size;
    private ScheduledFuture<?> tick;

    private long now = System.nanoTime();

    /**
     * Connection-level expiries (head timeout, keep-alive idle) handled per tick at most. A wave of
     * connections that all opened at once (a slowloris attack, a load test's warm-up) also expires
     * at once: cutting and answering all of them in one tick stalls every other connection of the
     * loop for that long. The rest wait for the next tick, a few hundred milliseconds late at worst.
     */
    static final int EXPIRIES_PER_TICK = 32;
    private int expiriesLeft = EXPIRIES_PER_TICK;

    ConnectionTimers(EventLoop loop, BackendConnections backends) {
        this.loop = loop;
        this.backends = backends;
    }

    /** The time of the last tick (or registration): a clock for timeouts, {@link #TICK_MILLIS} coarse, free to read. */
    long now() {
        return now;
    }

    void register(Timed h) {
        if (size == handlers.length) handlers = Arrays.copyOf(handlers, size * 2);
        handlers[size] = h;
        h.timerSlot(size++);
        now = System.nanoTime();
        ensureTicking();
    }

    /** Takes one of this tick's connection expiries; false when they are used up (try next tick). */
    boolean takeExpiry() {
        if (expiriesLeft <= 0) return false;
        expiriesLeft--;
        return true;
    }

    /** Starts the tick if it is not running (a connection registered, or an idle back-end connection was pooled). */
    void ensureTicking() {
        if (tick == null) {
            tick = loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void unregister(Timed h) {
        int i = h.timerSlot();
        if (i < 0 || i >= size || handlers[i] != h) return;
        Timed last = handlers[--size];
        handlers[i] = last;
        last.timerSlot(i);
        handlers[size] = null;
        h.timerSlot(-1);
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
        expiriesLeft = EXPIRIES_PER_TICK;
        // Downwards: a handler that unregisters during its check swaps in one already visited.
        for (int i = size - 1; i >= 0; i--) {
            if (i >= size) continue;
            Timed h = handlers[i];
            try {
                h.checkDeadline(now);
            } catch (RuntimeException e) {
                log.error("timeout check failed; closing that connection, the others go on: {}", e.toString(), e);
                try {
                    h.timerFailed(e);
                } catch (RuntimeException again) {
                    unregister(h);
                }
            }
        }
        try {
            backends.closeIdle(now);
        } catch (RuntimeException e) {
            log.error("closing idle back-end connections failed: {}", e.toString(), e);
        }
        stopIfIdle();
    }
}
