package io.switchboard.proxy.probe;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.config.BackendTlsConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.resolve.HostResolver;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolListener;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Drives one pool's active health checks.
 *
 * <p>Every back end of the pool's current snapshot except those in MAINT (an operator took them out;
 * probing them into service would undo that) is probed every {@code interval}, randomized by
 * ± {@code jitter} so that probes of many back ends, and of many balancers, do not synchronize into
 * bursts. The next probe of a back end is scheduled when the previous one has finished, so a slow
 * back end is never probed twice at once. Each result becomes a {@link Change.Probe} of origin
 * {@link Origin#PROBE}, submitted to the pool's registry writer ({@link Pool#submit}), so that no
 * picker is built on an event loop; the pool's {@link io.switchboard.health.HealthPolicy} decides
 * what it means.
 *
 * <p>Membership follows the pool: a {@link PoolListener} notices back ends added, removed, or moved
 * in and out of MAINT. Back ends are keyed by identity, not by name, because a reload that changes
 * a server's address replaces its {@link Backend}: the old one stops being probed and the new one
 * starts. A probe of a back end that left while the probe was in flight is dropped.
 *
 * <p>The pool's clock (slow-start ramps, ejection expiry) is not here: the
 * {@link io.switchboard.registry.PoolRegistry} ticks its pools.
 *
 * <p>Threading: all of this class's mutable state is confined to one event loop of the group (its
 * "home"); the probes' channels are spread over the whole group and hop back home with their results.
 * The pool listener runs on whichever thread applied a change, so it only queues a resync on the home
 * loop: it never writes to the pool itself (re-entrancy), and it never blocks the pool's writer.
 * {@link #start} and {@link #close} may be called from any thread.
 */
public final class HealthChecker implements AutoCloseable {

    private final Pool pool;
    private final HealthCheckConfig config;
    private final HealthProbe probe; // null for type NONE
    private final EventLoop home;
    private final long intervalNanos;
    private final PoolListener listener = (p, snapshot, transitions) -> requestSync();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean syncQueued = new AtomicBoolean();

    // home loop only
    private final Map<Backend, Target> targets = new IdentityHashMap<>();

    public HealthChecker(Pool pool, HealthCheckConfig config, Transport transport, EventLoopGroup group) {
        this(pool, config, transport, group, HostResolver.system(transport));
    }

    /** @param resolvers how back-end host names are looked up: pass the data plane's, so both see the same answers */
    public HealthChecker(Pool pool, HealthCheckConfig config, Transport transport, EventLoopGroup group, HostResolver resolvers) {
        this(pool, config, transport, group, resolvers, null);
    }

    /** @param tls the pool's TLS to its back ends, spoken by HTTP probes; null: plain text */
    public HealthChecker(Pool pool, HealthCheckConfig config, Transport transport, EventLoopGroup group, HostResolver resolvers,
                         BackendTlsConfig tls) {
        this(pool, config, transport, group, resolvers, tls, null);
    }

    /**
     * @param sendProxy the pool's {@code send-proxy} (null: none): probes to a back end that gets a PROXY
     *     header (its own {@code send-proxy}, else this) start with one too
     */
    public HealthChecker(Pool pool, HealthCheckConfig config, Transport transport, EventLoopGroup group, HostResolver resolvers,
                         BackendTlsConfig tls, ProxyProtocolVersion sendProxy) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(transport, "transport");
        this.home = Objects.requireNonNull(group, "group").next();
        this.probe = config.enabled() ? HealthProbe.of(config, transport, group, resolvers, tls, sendProxy) : null;
        this.intervalNanos = Math.max(1, config.interval().toNanos());
    }

    /** Starts probing. Once only; a closed checker cannot be restarted. */
    public void start() {
        if (closed.get()) throw new IllegalStateException("health checker of pool '" + pool.name() + "' is closed");
        if (!started.compareAndSet(false, true)) throw new IllegalStateException("health checker of pool '" + pool.name() + "' already started");
        if (probe != null) {
            // listen first, then sync: a change in between is then seen by the sync or queues another
            pool.addListener(listener);
            requestSync();
        }
    }

    /**
     * Stops probing; probes in flight are abandoned and their channels closed, and their
     * results are never applied. Waits (briefly) for the home loop to acknowledge. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        pool.removeListener(listener);
        if (home.inEventLoop()) {
            stopAll();
            return;
        }
        try {
            home.submit(this::stopAll).awaitUninterruptibly(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            // the group is already shutting down: its scheduled tasks die with it and every task checks `closed`
        }
    }

    private void stopAll() {
        for (Target t : targets.values()) t.stop();
        targets.clear();
    }

    /** Any thread, including the pool's writer inside apply: queue, never run inline. */
    private void requestSync() {
        if (closed.get() || !syncQueued.compareAndSet(false, true)) return;
        try {
            home.execute(() -> {
                syncQueued.set(false);
                sync();
            });
        } catch (RejectedExecutionException e) {
            syncQueued.set(false); // the group is shutting down; nothing left to probe with
        }
    }

    /** Home loop: make the probed set equal the pool's current non-MAINT members. */
    private void sync() {
        if (closed.get()) return;
        Set<Backend> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Member m : pool.snapshot().backends().members()) {
            if (m.state() != BackendState.MAINT) wanted.add(m.backend());
        }
        targets.values().removeIf(t -> {
            if (wanted.contains(t.backend)) return false;
            t.stop();
            return true;
        });
        for (Backend b : wanted) {
            if (!targets.containsKey(b)) {
                Target t = new Target(b);
                targets.put(b, t);
                // a random first delay in [0, interval) spreads a fresh pool's probes over one interval
                t.schedule((long) (ThreadLocalRandom.current().nextDouble() * intervalNanos));
            }
        }
    }

    /** interval * (1 + jitter * u), u uniform in [-1, 1). */
    private long nextDelayNanos() {
        double u = 2 * ThreadLocalRandom.current().nextDouble() - 1;
        return Math.max(1, (long) (intervalNanos * (1 + config.jitter() * u)));
    }

    /** One probed back end. Home loop only. */
    private final class Target {
        final Backend backend;
        ScheduledFuture<?> next;
        CompletableFuture<ProbeResult> inFlight;
        boolean stopped;

        Target(Backend backend) {
            this.backend = backend;
        }

        void schedule(long delayNanos) {
            next = home.schedule(this::run, delayNanos, TimeUnit.NANOSECONDS);
        }

        void run() {
            next = null;
            if (stopped || closed.get()) return;
            CompletableFuture<ProbeResult> f = probe.probe(backend);
            inFlight = f;
            f.whenCompleteAsync((result, error) -> done(f, result, error), home);
        }

        void done(CompletableFuture<ProbeResult> f, ProbeResult result, Throwable error) {
            if (inFlight == f) inFlight = null;
            if (stopped || closed.get() || error instanceof CancellationException) return;
            try {
                ProbeResult r = error == null ? result : ProbeResult.failed("probe failed: " + error);
                apply(r);
            } finally {
                if (!stopped && !closed.get()) schedule(nextDelayNanos());
            }
        }

        private void apply(ProbeResult r) {
            // Our view of membership lags the pool's by one queued sync: make sure the name still means
            // this back end. (A reload could still replace it between this check and apply; the pool's
            // rise/fall hysteresis absorbs that one stray result.)
            if (pool.backend(backend.name()) != backend) return;
            // applied on the registry's writer; dropped there if the back end is gone by then
            pool.submit(Origin.PROBE, new Change.Probe(backend.name(), r.ok(), r.detail()));
        }

        void stop() {
            stopped = true;
            if (next != null) next.cancel(false);
            if (inFlight != null) inFlight.cancel(false); // closes the probe's channel
        }
    }
}
