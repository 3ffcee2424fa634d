package io.switchboard.proxy.feedback;

import io.switchboard.backend.Backend;
import io.switchboard.backend.Member;
import io.switchboard.config.AdminState;
import io.switchboard.config.LoadFeedbackConfig;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Pulls HAProxy agent-check answers for one pool ({@code load-feedback: {agent-check: ...}}): every
 * {@code interval}, for each back end not put in MAINT by an operator, it connects to the back end's
 * host at the agent port, reads one line (at most {@link #MAX_LINE} bytes, within {@code timeout}
 * from the connect's start), parses it ({@link AgentCheckAnswer}) and submits a {@link Change.Agent}
 * of origin {@link Origin#AGENT} to the pool's registry writer. The balancer sends nothing, as HAProxy
 * without {@code agent-send}, so any compatible agent answers.
 *
 * <p>A failed pull (refused, timed out, closed without a line, garbage) is "no data": it is counted
 * and logged at most once per 10 s per pool, and nothing is submitted, so the back end's last report
 * ages out; it never makes a back end down (health checks decide that).
 *
 * <p>Threading: one scheduler thread per puller walks the pool's snapshot; each pull runs on a
 * virtual thread with blocking socket calls bounded by the timeout. A back end whose previous pull
 * is still running is skipped. {@link #start} once; {@link #close} from any thread.
 */
public final class AgentCheckPuller implements AutoCloseable {
    /** The longest answer line read; HAProxy's own agents answer a few words. */
    public static final int MAX_LINE = 512;

    private final Pool pool;
    private final LoadFeedbackConfig config;
    private final LoadReportCounters counters;
    private final FeedbackLog failures = new FeedbackLog();
    private final Set<Backend> inFlight = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    private final ScheduledExecutorService scheduler;
    private volatile boolean closed;

    public AgentCheckPuller(Pool pool, LoadFeedbackConfig config, LoadReportCounters counters) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.config = Objects.requireNonNull(config, "config");
        this.counters = Objects.requireNonNull(counters, "counters");
        if (config.mode() != LoadFeedbackConfig.Mode.AGENT_CHECK) {
            throw new IllegalArgumentException("pool '" + pool.name() + "' does not pull agent-check answers");
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("switchboard-agent-check-" + pool.name()).daemon().factory());
    }

    /** Starts pulling: at once, then every interval. */
    public void start() {
        long interval = config.interval().toNanos();
        scheduler.scheduleWithFixedDelay(this::round, 0, interval, TimeUnit.NANOSECONDS);
    }

    /** Scheduler thread: one pull per eligible back end that has none running. */
    private void round() {
        try {
            for (Member m : pool.snapshot().backends().members()) {
                if (closed) return;
                if (m.admin() == AdminState.MAINT) continue; // an operator took it out: leave it alone
                Backend b = m.backend();
                if (!inFlight.add(b)) continue;
                Thread.ofVirtual().name("agent-check " + b.label()).start(() -> {
                    try {
                        pull(b);
                    } finally {
                        inFlight.remove(b);
                    }
                });
            }
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again
            failures.warn("round", "pool " + pool.name() + ": agent-check round failed: " + e);
        }
    }

    private void pull(Backend b) {
        String where = b.host() + ":" + config.port();
        String line;
        try {
            line = readLine(b.host(), config.port(), (int) Math.max(1, config.timeout().toMillis()));
        } catch (IOException e) {
            fail(b, where, e instanceof SocketTimeoutException ? "no answer within " + config.timeout().toMillis() + " ms"
                    : e.toString());
            return;
        }
        AgentCheckAnswer answer;
        try {
            answer = AgentCheckAnswer.parse(line);
        } catch (IllegalArgumentException e) {
            fail(b, where, e.getMessage());
            return;
        }
        if (closed || pool.backend(b.name()) != b) return; // the back end left (reload) while we pulled
        counters.pullAnswered();
        pool.submit(Origin.AGENT, new Change.Agent(b.name(), answer.report(System.nanoTime())));
    }

    private void fail(Backend b, String where, String why) {
        if (closed) return;
        counters.pullFailed();
        failures.warn("pull", "pool " + pool.name() + ": agent-check of " + b.name() + " at " + where
                + " gave no data (" + why + "); its last report ages out, its health is unchanged");
    }

    /**
     * One line from the agent: up to a LF, or what came before the agent closed, within
     * {@code timeoutMillis} from the start of the connect.
     */
    static String readLine(String host, int port, int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[MAX_LINE];
            int n = 0;
            while (n < MAX_LINE) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) throw new SocketTimeoutException("no line within " + timeoutMillis + " ms");
                s.setSoTimeout((int) left);
                int r = in.read(buf, n, MAX_LINE - n);
                if (r < 0) break;
                for (int i = n; i < n + r; i++) {
                    if (buf[i] == '\n') return new String(buf, 0, i, StandardCharsets.ISO_8859_1);
                }
                n += r;
            }
            if (n == MAX_LINE) throw new IOException("no end of line within " + MAX_LINE + " bytes");
            if (n == 0) throw new IOException("the agent closed the connection without answering");
            return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        }
    }

    /** Stops pulling; pulls in flight finish on their own (bounded by the timeout) and submit nothing. */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
    }
}
