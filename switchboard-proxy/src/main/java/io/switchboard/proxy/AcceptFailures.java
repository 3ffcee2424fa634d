package io.switchboard.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener's server channels when accepting fails, mostly for want of file descriptors (EMFILE at the
 * process's open-file limit, ENFILE at the system's): accepting pauses for {@link #PAUSE_MILLIS} ms on
 * that server channel, the clients wait in the kernel's accept backlog meanwhile, and one log line per
 * {@link #LOG_INTERVAL_SECONDS} s says what failed, the limit, and how many more failures there were.
 *
 * <p>Without it every failed accept reaches the end of the server pipeline as a warning with a stack
 * trace, and the transport retries at once: at the limit, with clients still connecting, that was
 * millions of log lines a minute (gigabytes of log, a heap grown by the garbage, a busy event loop).
 *
 * <p>Threading: shared by the listener's server channels (one per event loop); each pause is scheduled
 * on its channel's loop; the log's rate limit is lock-free.
 */
@ChannelHandler.Sharable
final class AcceptFailures extends ChannelInboundHandlerAdapter {
    static final long PAUSE_MILLIS = 100;
    static final long LOG_INTERVAL_SECONDS = 10;
    private static final long LOG_INTERVAL = TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS);
    private static final Logger log = LoggerFactory.getLogger(AcceptFailures.class);

    /** Read at start: at the limit, reading /proc would itself fail for want of a descriptor. */
    private static final String LIMIT = openFileLimit();

    private final String listener;
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL);
    private final AtomicLong unlogged = new AtomicLong();

    AcceptFailures(String listener) {
        this.listener = listener;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        Channel server = ctx.channel();
        if (server.config().isAutoRead()) {
            server.config().setAutoRead(false);
            server.eventLoop().schedule(() -> resume(server), PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
        report(cause);
    }

    private static void resume(Channel server) {
        if (server.isOpen()) server.config().setAutoRead(true);
    }

    private void report(Throwable cause) {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last < LOG_INTERVAL || !lastLogged.compareAndSet(last, now)) {
            unlogged.incrementAndGet();
            return;
        }
        long more = unlogged.getAndSet(0);
        log.warn("listener {}: cannot accept connections: {}{}; accepting paused for {} ms at a time{}", listener,
                cause.getMessage(), LIMIT, PAUSE_MILLIS,
                more > 0 ? " (" + more + " more failures in the last " + LOG_INTERVAL_SECONDS + " s)" : "");
    }

    /** "; open-file limit N (...)" from /proc/self/limits where there is one: the limit is the usual cause. */
    private static String openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (!line.startsWith("Max open files")) continue;
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                return "; open-file limit " + f[0] + " (hard " + f[1]
                        + "; raise it with ulimit -n, or systemd's LimitNOFILE=, or a container's --ulimit nofile=)";
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: say nothing about the limit
        }
        return "";
    }
}
