package io.switchboard.proxy.feedback;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warnings about refused reports and failed pulls, at most one per {@link #INTERVAL_SECONDS} seconds
 * per kind (a refusal reason, a pool's failed pulls), with the number not logged since: a flood of
 * forged datagrams or a dead agent must not become a flood of log lines.
 *
 * <p>Threading: any thread; lock-free per kind. Kinds are a fixed, small set chosen by the code.
 */
final class FeedbackLog {
    static final long INTERVAL_SECONDS = 10;
    private static final long INTERVAL = TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS);
    private static final Logger log = LoggerFactory.getLogger("io.switchboard.proxy.feedback");

    private record Gate(AtomicLong lastLogged, AtomicLong unlogged) {}

    private final ConcurrentHashMap<String, Gate> gates = new ConcurrentHashMap<>();

    void warn(String kind, String message) {
        Gate g = gates.computeIfAbsent(kind, k -> new Gate(new AtomicLong(System.nanoTime() - INTERVAL), new AtomicLong()));
        long now = System.nanoTime();
        long last = g.lastLogged.get();
        if (now - last >= INTERVAL && g.lastLogged.compareAndSet(last, now)) {
            long more = g.unlogged.getAndSet(0);
            if (more > 0) log.warn("{} ({} more like it in the last {} s not logged)", message, more, INTERVAL_SECONDS);
            else log.warn(message);
        } else {
            g.unlogged.incrementAndGet();
        }
    }
}
