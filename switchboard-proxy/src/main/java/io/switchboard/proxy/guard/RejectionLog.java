package io.switchboard.proxy.guard;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log lines for refused clients, at most one per {@link #INTERVAL_SECONDS} seconds per listener and
 * kind, with the number of refusals not logged since: a flood of refusals must not become a flood of
 * log lines (which would be a denial of service of its own).
 *
 * <p>Threading: any event loop; lock-free.
 */
public final class RejectionLog {
    static final long INTERVAL_SECONDS = 10;
    private static final long INTERVAL = TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS);
    private static final Logger log = LoggerFactory.getLogger("io.switchboard.proxy.guard");

    private final String listener;
    private final String what;
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - INTERVAL);
    private final AtomicLong unlogged = new AtomicLong();

    /** @param what e.g. "refused connection from", "answered 429 to" */
    public RejectionLog(String listener, String what) {
        this.listener = listener;
        this.what = what;
    }

    public void refused(String client, String reason) {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= INTERVAL && lastLogged.compareAndSet(last, now)) {
            long more = unlogged.getAndSet(0);
            if (more > 0) {
                log.warn("listener {}: {} {}: {} ({} more in the last {} s not logged)", listener, what, client, reason, more, INTERVAL_SECONDS);
            } else {
                log.warn("listener {}: {} {}: {}", listener, what, client, reason);
            }
        } else {
            unlogged.incrementAndGet();
        }
    }
}
