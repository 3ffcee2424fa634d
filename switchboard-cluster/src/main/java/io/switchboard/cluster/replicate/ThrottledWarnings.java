package io.switchboard.cluster.replicate;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.LongSupplier;

/**
 * Warnings at most one line per interval: the lines in between are counted, and the next line that
 * is logged says how many were left out, so that a peer sending malformed state many times a second,
 * or a broadcast failing for every flush, cannot flood the log.
 *
 * <p>Threading: any thread.
 */
final class ThrottledWarnings {
    private final Logger log;
    private final String prefix;
    private final LongSupplier nanoClock;
    private final long everyNanos;
    private final Object lock = new Object();
    // under lock
    private long lastLogNanos = Long.MIN_VALUE;
    private long unlogged;

    /** @param prefix put before every line logged */
    ThrottledWarnings(Logger log, String prefix, long everyNanos, LongSupplier nanoClock) {
        this.log = log;
        this.prefix = prefix;
        this.everyNanos = everyNanos;
        this.nanoClock = nanoClock;
    }

    /** Logs the line at WARNING unless one was logged less than the interval ago; then only counts it. */
    void warn(String message) {
        long now = nanoClock.getAsLong();
        String line;
        synchronized (lock) {
            if (lastLogNanos != Long.MIN_VALUE && now - lastLogNanos < everyNanos) {
                unlogged++;
                return;
            }
            line = unlogged == 0 ? message : message + " (" + unlogged + " similar lines left out)";
            lastLogNanos = now;
            unlogged = 0;
        }
        log.log(Level.WARNING, prefix + line);
    }
}
