package io.switchboard.app;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The process's signals: SIGTERM and SIGINT ask for a graceful stop (a second one stops at once,
 * for the operator whose grace period is too long); SIGHUP runs a reload; SIGUSR1 reopens the log
 * files (logrotate). {@code sun.misc.Signal} rather than a shutdown hook, because a hook runs while the
 * JVM is already exiting, which is no place for a shutdown that waits for requests in flight and then
 * logs the outcome.
 *
 * <p>Threading: handlers run on the JVM's signal dispatch threads; {@link #awaitStop} on the caller's.
 */
final class ProcessSignals {
    private static final Logger log = LoggerFactory.getLogger(ProcessSignals.class);

    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicInteger stops = new AtomicInteger();

    private ProcessSignals() {}

    /** @param onHangup run on SIGHUP; null to ignore SIGHUP (the demo has no file to reload) */
    static ProcessSignals install(Runnable onHangup) {
        return install(onHangup, null);
    }

    /**
     * @param onHangup run on SIGHUP; null to ignore SIGHUP
     * @param onUser1 run on SIGUSR1 (reopen the log files after log rotation); null to ignore SIGUSR1,
     *     whose default action would otherwise end the process
     */
    static ProcessSignals install(Runnable onHangup, Runnable onUser1) {
        ProcessSignals s = new ProcessSignals();
        handle("USR1", onUser1 != null ? sig -> onUser1.run() : sig -> log.info("SIGUSR1 ignored: no log file to reopen"));
        for (String name : new String[] {"TERM", "INT"}) {
            handle(name, sig -> s.stopRequested(sig.getName()));
        }
        if (onHangup != null) {
            handle("HUP", sig -> onHangup.run());
        } else {
            handle("HUP", sig -> log.info("SIGHUP ignored: nothing to reload"));
        }
        return s;
    }

    private static void handle(String name, SignalHandler handler) {
        try {
            Signal.handle(new Signal(name), handler);
        } catch (IllegalArgumentException e) {
            // e.g. the JVM runs with -Xrs, or the platform has no such signal
            log.warn("cannot handle SIG{}: {}", name, e.getMessage());
        }
    }

    private void stopRequested(String signal) {
        if (stops.incrementAndGet() > 1) {
            System.err.println("SIG" + signal + " again: stopping now without waiting for requests in flight");
            Runtime.getRuntime().halt(Main.EXIT_FAILURE);
        }
        log.info("SIG{} received (send it again to stop at once)", signal);
        stop.countDown();
    }

    void awaitStop() throws InterruptedException {
        stop.await();
    }
}
