package io.switchboard.proxy.feedback;

import io.switchboard.backend.Backend;
import io.switchboard.backend.Member;
import io.switchboard.config.LoadReportsConfig;
import io.switchboard.load.ReplayGuard;
import io.switchboard.load.ReportCodec;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives pushed load reports: one UDP socket, read by one thread of its own with a blocking JDK
 * {@link DatagramChannel} (about one datagram per back end per second: no event loop is worth it).
 * Each datagram is checked by {@link ReportCodec} (size, form, HMAC-SHA256) and {@link ReplayGuard}
 * (sequence, clock window of {@code max-age}), then given to the back ends it names in the pools that
 * take pushed reports, as a {@link Change.Agent} of origin {@link Origin#AGENT} submitted to the
 * pool's registry writer ({@link Pool#submit}), as the health checker does with probe results.
 *
 * <p>Matching: the agent's server name is looked up among each push pool's back-end names; when no
 * back end has that name and it is written {@code host:port}, the back end with that address
 * matches instead. A report can reach back ends of several pools. A report that matches none is
 * refused as {@link ReportCodec.Reason#UNKNOWN_SERVER}. Every refusal is counted by reason and logged
 * at most once per 10 s per reason.
 *
 * <p>Age: a report carries the balancer's receive time ({@code LoadReport.receivedNanos}); readers
 * ignore one older than {@code max-age}. A silent agent is "no data", never "down".
 *
 * <p>Threading: {@link #pools} may be called from any thread (a reload); the codec, the replay guard
 * and the buffer belong to the receiving thread. {@link #start} once; {@link #close} from any thread.
 */
public final class LoadReportReceiver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoadReportReceiver.class);

    private final LoadReportsConfig config;
    private final LoadReportCounters counters;
    private final FeedbackLog refusals = new FeedbackLog();
    private volatile List<Pool> pools = List.of();
    private DatagramChannel channel;
    private Thread thread;

    public LoadReportReceiver(LoadReportsConfig config, LoadReportCounters counters) {
        this.config = Objects.requireNonNull(config, "config");
        this.counters = Objects.requireNonNull(counters, "counters");
    }

    /** The pools whose back ends take pushed reports ({@code load-feedback: push}); replaces the previous set. */
    public void pools(List<Pool> pushPools) {
        this.pools = List.copyOf(pushPools);
    }

    /** Binds the socket and starts the receiving thread. */
    public synchronized void start() throws IOException {
        if (channel != null) throw new IllegalStateException("load report receiver already started");
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.bind(new InetSocketAddress(config.host(), config.port()));
        } catch (IOException e) {
            ch.close();
            throw new IOException("load-reports: cannot listen on UDP " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        channel = ch;
        ReportCodec codec = new ReportCodec(config.key());
        ReplayGuard guard = new ReplayGuard(config.maxAge().toMillis());
        thread = Thread.ofPlatform().name("switchboard-load-reports").daemon().start(() -> receive(ch, codec, guard));
        log.info("load reports: listening on UDP {} (key from {}, max-age {})", localAddress(), config.keySource(),
                config.maxAge());
    }

    /** Where the socket is bound (the port is the real one when the config asked for 0). */
    public synchronized InetSocketAddress localAddress() {
        try {
            return channel == null ? null : (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    public LoadReportCounters counters() { return counters; }

    private void receive(DatagramChannel ch, ReportCodec codec, ReplayGuard guard) {
        // one byte more than the largest datagram accepted: a longer one fills it and is told apart
        ByteBuffer buf = ByteBuffer.allocate(ReportCodec.MAX_SIZE + 1);
        while (ch.isOpen()) {
            buf.clear();
            SocketAddress from;
            try {
                from = ch.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                refusals.warn("io", "load reports: receiving failed: " + e);
                continue;
            }
            if (from == null) continue;
            handle(buf.array(), buf.position(), from, codec, guard);
        }
    }

    /** Receiving thread. */
    private void handle(byte[] bytes, int len, SocketAddress from, ReportCodec codec, ReplayGuard guard) {
        try {
            if (len > ReportCodec.MAX_SIZE) {
                // the buffer holds one byte more than allowed: the datagram's true size is unknown
                throw new ReportCodec.Refusal(ReportCodec.Reason.OVERSIZED, "more than " + ReportCodec.MAX_SIZE + " bytes");
            }
            ReportCodec.Datagram d = codec.decode(bytes, 0, len, System.nanoTime());
            guard.check(d, System.currentTimeMillis());
            if (!deliver(d)) {
                throw new ReportCodec.Refusal(ReportCodec.Reason.UNKNOWN_SERVER, "no back end of a pool with"
                        + " load-feedback: push is named '" + d.server() + "' or has that address");
            }
            counters.accepted();
        } catch (ReportCodec.Refusal r) {
            counters.refused(r.reason());
            refusals.warn(r.reason().name(), "load reports: refused a datagram from " + from + " ("
                    + LoadReportCounters.label(r.reason()) + "): " + r.getMessage());
        }
    }

    private boolean deliver(ReportCodec.Datagram d) {
        boolean any = false;
        for (Pool pool : pools) {
            Backend b = pool.backend(d.server());
            if (b == null) b = byAddress(pool, d.server());
            if (b == null) continue;
            pool.submit(Origin.AGENT, new Change.Agent(b.name(), d.report()));
            any = true;
        }
        return any;
    }

    /** The back end whose {@code host:port} is {@code name}, when the agent names itself by address. */
    private static Backend byAddress(Pool pool, String name) {
        if (name.indexOf(':') < 0) return null;
        for (Member m : pool.snapshot().backends().members()) {
            if (m.backend().address().equals(name)) return m.backend();
        }
        return null;
    }

    /** Closes the socket and waits briefly for the thread to end. Idempotent. */
    @Override
    public void close() {
        DatagramChannel ch;
        Thread t;
        synchronized (this) {
            ch = channel;
            t = thread;
        }
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
        if (t != null) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
