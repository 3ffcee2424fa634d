package io.switchboard.proxy;

import io.netty.channel.EventLoop;
import io.switchboard.backend.Backend;
import io.switchboard.registry.Pool;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.dispatch.PoolDispatch;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.persist.PersistenceState;
import io.switchboard.proxy.http.BackendConnections;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import io.switchboard.proxy.resolve.HostResolver;
import io.switchboard.route.Router;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every client connection of one proxy shares, whatever its protocol: the current routing
 * (swapped whole on reload, one volatile read per request), each pool's dispatch state (queue, retry
 * budget), the per-event-loop back-end connections, the access log, and the counters graceful
 * shutdown waits on.
 *
 * <p>Threading: routing is published by one volatile write; connection pools are confined to their
 * loop; the dispatch map and counters are concurrent.
 */
public final class ProxyState {
    private static final Logger log = LoggerFactory.getLogger(ProxyState.class);

    /**
     * The configuration requests are routed with, and each listener's routes compiled (by listener
     * name; a listener without routes has none, so its requests skip routing). Immutable apart from
     * the routes' hit counters.
     */
    public record Routing(SwitchboardConfig config, Map<String, Pool> pools, Map<String, Router> routers) {
        public Routing {
            pools = Map.copyOf(pools);
            routers = Map.copyOf(routers);
        }

        /** Compiles the routes of every listener of {@code config}. */
        public Routing(SwitchboardConfig config, Map<String, Pool> pools) {
            this(config, pools, routers(config));
        }

        /** The listener's routes; null when it has none. */
        public Router router(String listener) {
            return routers.get(listener);
        }

        private static Map<String, Router> routers(SwitchboardConfig config) {
            Map<String, Router> m = new HashMap<>();
            for (ListenerConfig l : config.listeners()) {
                if (!l.routes().isEmpty()) m.put(l.name(), new Router(l.defaultPool(), l.routes()));
            }
            return m;
        }
    }

    private final Transport transport;
    private final HostResolver resolvers;
    private final AccessLog accessLog;
    private final List<ExchangeListener> exchangeListeners = new CopyOnWriteArrayList<>();
    private final Map<EventLoop, BackendConnections> connections = new ConcurrentHashMap<>();
    private final Map<Pool, PoolDispatch> dispatch = new ConcurrentHashMap<>();
    private final AtomicInteger activeExchanges = new AtomicInteger();
    private final AtomicLong totalRequests = new AtomicLong();
    private final ListenerCounters.Registry listenerCounters = new ListenerCounters.Registry();
    private final PersistenceState persistence = new PersistenceState();
    private final SessionTable sessions = new SessionTable();
    private volatile Routing routing;
    private volatile boolean draining;

    public ProxyState(Routing routing, Transport transport, AccessLog accessLog) {
        this(routing, transport, accessLog, HostResolver.system(transport));
    }

    /** @param resolvers how back-end host names are looked up (shared with the health probes) */
    public ProxyState(Routing routing, Transport transport, AccessLog accessLog, HostResolver resolvers) {
        this.routing = routing;
        this.transport = transport;
        this.accessLog = accessLog;
        this.resolvers = resolvers;
        if (routing.config() != null) persistence.reconcile(routing.config().pools().values());
    }

    public Routing routing() { return routing; }

    public void routing(Routing next) {
        if (next.config() != null) persistence.reconcile(next.config().pools().values());
        this.routing = next;
        forgetDispatchExcept(next.pools().values());
    }

    public AccessLog accessLog() { return accessLog; }

    /** Session persistence by pool: stick tables and cookie keys, kept across reloads. */
    public PersistenceState persistence() { return persistence; }

    /** The open TCP sessions of every {@code mode: tcp} listener and the server each is bound to. */
    public SessionTable sessions() { return sessions; }

    /** The transport back-end connections are opened with (TCP sessions open their own). */
    public Transport transport() { return transport; }

    /** How back-end host names are looked up. */
    public HostResolver resolvers() { return resolvers; }

    /** Per-listener connection and refusal counters (metrics). */
    public ListenerCounters.Registry listenerCounters() { return listenerCounters; }

    public void addExchangeListener(ExchangeListener l) { exchangeListeners.add(l); }

    /**
     * Whether anything reads exchange records (an access log or a listener); when nothing does, the
     * front end does not build them at all.
     */
    public boolean recordsExchanges() {
        return accessLog != AccessLog.OFF || !exchangeListeners.isEmpty();
    }

    /** Logs the record and tells the listeners; on the event loop. */
    public void finished(AccessRecord r, Pool pool, Backend backend) {
        accessLog.log(r);
        for (ExchangeListener l : exchangeListeners) {
            try {
                l.onExchange(r, pool, backend);
            } catch (RuntimeException e) {
                log.warn("exchange listener failed: {}", e.toString(), e);
            }
        }
    }

    public boolean draining() { return draining; }
    public void startDraining() { this.draining = true; }
    public int activeExchanges() { return activeExchanges.get(); }
    public long totalRequests() { return totalRequests.get(); }

    /** The dispatch state of the named pool in the current routing; null when there is no such pool. */
    public PoolDispatch dispatch(String poolName) {
        Pool p = routing.pools().get(poolName);
        return p == null ? null : dispatch.computeIfAbsent(p, PoolDispatch::new);
    }

    public PoolConfig poolConfig(String name) { return routing.config().pools().get(name); }

    public BackendConnections connections(EventLoop loop) {
        return connections.computeIfAbsent(loop, l -> new BackendConnections(l, transport, resolvers));
    }

    /** Requests waiting for a back end below its max-connections in this pool (for metrics). */
    public int queueLength(Pool pool) {
        PoolDispatch d = dispatch.get(pool);
        return d == null ? 0 : d.queue().size();
    }

    /**
     * Requests waiting in this pool's queue per service class, most urgent class first (for the admin
     * API and metrics); empty when the pool is not routed to.
     */
    public Map<String, Integer> queuedByClass(Pool pool) {
        PoolDispatch d = dispatch.get(pool);
        PoolConfig pc = poolConfig(pool.name());
        if (pc == null) return Map.of();
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int rank = 0; rank < pc.classes().size(); rank++) {
            out.put(pc.classes().get(rank).name(), d == null ? 0 : d.queue().size(rank));
        }
        return out;
    }

    /** Drops the dispatch state of pools that are no longer routed to (after a reload). */
    private void forgetDispatchExcept(Collection<Pool> live) {
        dispatch.keySet().retainAll(live);
    }

    /** Connections opened to back ends over all loops (racy sum; for tests and metrics). */
    public long backendConnectionsOpened() {
        long n = 0;
        for (BackendConnections c : connections.values()) n += c.opened();
        return n;
    }

    public void exchangeStarted() {
        activeExchanges.incrementAndGet();
        totalRequests.incrementAndGet();
    }

    public void exchangeEnded() {
        activeExchanges.decrementAndGet();
    }
}
