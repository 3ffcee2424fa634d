package io.switchboard.proxy.http;

import io.netty.channel.EventLoop;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.proxy.AccessLog;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.Transport;
import io.switchboard.registry.Pool;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every front-end handler of one proxy shares: the current routing (swapped whole on reload,
 * one volatile read per request), the per-event-loop connection pools, the access log, and the
 * counters graceful shutdown waits on.
 *
 * <p>Threading: routing is published by one volatile write; connection pools are confined to their
 * loop; counters are atomic.
 */
public final class ProxyState {
    /** The configuration requests are routed with. Immutable. */
    public record Routing(SwitchboardConfig config, Map<String, Pool> pools) {
        public Routing {
            pools = Map.copyOf(pools);
        }
    }

    private final Transport transport;
    private final AccessLog accessLog;
    private final java.util.List<io.switchboard.proxy.ExchangeListener> exchangeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<EventLoop, BackendConnections> connections = new ConcurrentHashMap<>();
    private final Map<EventLoop, ConnectionTimers> timers = new ConcurrentHashMap<>();
    private final AtomicInteger activeExchanges = new AtomicInteger();
    private final AtomicLong totalRequests = new AtomicLong();
    private volatile Routing routing;
    private volatile boolean draining;

    public ProxyState(Routing routing, Transport transport, AccessLog accessLog) {
        this.routing = routing;
        this.transport = transport;
        this.accessLog = accessLog;
    }

    public Routing routing() { return routing; }
    public void routing(Routing next) {
        this.routing = next;
        forgetQueuesExcept(next.pools().values());
    }
    public AccessLog accessLog() { return accessLog; }

    public void addExchangeListener(io.switchboard.proxy.ExchangeListener l) { exchangeListeners.add(l); }

    /**
     * Whether anything reads exchange records (an access log or a listener); when nothing does, the
     * front end does not build them at all.
     */
    boolean recordsExchanges() {
        return accessLog != AccessLog.OFF || !exchangeListeners.isEmpty();
    }

    /** Logs the record and tells the listeners; on the event loop. */
    void finished(AccessRecord r, Pool pool, io.switchboard.backend.Backend backend) {
        accessLog.log(r);
        for (io.switchboard.proxy.ExchangeListener l : exchangeListeners) {
            try {
                l.onExchange(r, pool, backend);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ProxyState.class).warn("exchange listener failed: {}", e.toString(), e);
            }
        }
    }
    public boolean draining() { return draining; }
    public void startDraining() { this.draining = true; }
    public int activeExchanges() { return activeExchanges.get(); }
    public long totalRequests() { return totalRequests.get(); }

    Pool pool(String name) { return routing.pools().get(name); }

    PoolConfig poolConfig(String name) { return routing.config().pools().get(name); }

    public BackendConnections connections(EventLoop loop) {
        return connections.computeIfAbsent(loop, l -> new BackendConnections(l, transport));
    }

    private final Map<Pool, DispatchQueue> queues = new ConcurrentHashMap<>();

    DispatchQueue queue(Pool pool) {
        return queues.computeIfAbsent(pool, p -> new DispatchQueue());
    }

    /** Requests waiting for a back end below its max-connections in this pool (for metrics). */
    public int queueLength(Pool pool) {
        DispatchQueue q = queues.get(pool);
        return q == null ? 0 : q.size();
    }

    /** Drops the queues of pools that are no longer routed to (after a reload). */
    void forgetQueuesExcept(java.util.Collection<Pool> live) {
        queues.keySet().retainAll(live);
    }

    ConnectionTimers timers(EventLoop loop) {
        return timers.computeIfAbsent(loop, l -> new ConnectionTimers(l, connections(l)));
    }

    /** Connections opened to back ends, and requests that reused one, over all loops (racy sum; for tests and metrics). */
    public long backendConnectionsOpened() {
        long n = 0;
        for (BackendConnections c : connections.values()) n += c.opened();
        return n;
    }

    void exchangeStarted() {
        activeExchanges.incrementAndGet();
        totalRequests.incrementAndGet();
    }

    void exchangeEnded() {
        activeExchanges.decrementAndGet();
    }
}
