package io.switchboard.proxy.tcp;

import io.netty.channel.Channel;
import io.switchboard.proxy.ListenerCounters;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener's validator refusals: each counted in its {@link ListenerCounters}, and logged at most once
 * a second (with how many were not logged since), so a scanner cannot flood the log; the session's own
 * access-log line ({@link TcpSessionLog}) says why in every case.
 *
 * <p>Threading: any event loop; lock-free.
 */
final class ValidationFailures {
    private static final Logger log = LoggerFactory.getLogger(ValidationFailures.class);
    private static final long LOG_EVERY = TimeUnit.SECONDS.toNanos(1);

    private final String listener;
    private final ListenerCounters counters;
    private final AtomicLong nextLog = new AtomicLong(System.nanoTime());
    private final AtomicLong unlogged = new AtomicLong();

    ValidationFailures(String listener, ListenerCounters counters) {
        this.listener = listener;
        this.counters = counters;
    }

    void refused(Channel client, String validator, String why) {
        counters.validationFailed();
        client.attr(TcpSessionLog.REFUSED).set(validator + ": " + why); // for the session's access-log line
        long now = System.nanoTime();
        long next = nextLog.get();
        if (now - next >= 0 && nextLog.compareAndSet(next, now + LOG_EVERY)) {
            long more = unlogged.getAndSet(0);
            log.warn("listener {}: {} validator closed the connection from {}: {}{}", listener, validator, client.remoteAddress(),
                    why, more == 0 ? "" : " (and " + more + " more since the last message)");
        } else {
            unlogged.incrementAndGet();
        }
    }
}
