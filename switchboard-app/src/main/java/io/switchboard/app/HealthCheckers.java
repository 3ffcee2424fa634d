package io.switchboard.app;

import io.netty.channel.EventLoopGroup;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.probe.HealthChecker;
import io.switchboard.proxy.resolve.HostResolver;
import io.switchboard.registry.PoolRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The dispatcher's active health checkers, one per pool of the running config, kept in step with
 * it. A reload keeps a pool's checker unless its health check, TLS or {@code send-proxy} changed (a
 * checker's interval, path and probe are fixed at construction); it replaces the others and closes
 * those of removed pools.
 *
 * <p>A reload comes in two steps so that {@link Switchboard} keeps its order: {@link #prepare} builds
 * the next set (closing what it replaces) before the proxy sees the new pools, {@link Next#startNew}
 * starts the new checkers after, and {@link #use} makes the set current once the whole reload is
 * applied.
 *
 * <p>Threading: called under the dispatcher's lock only.
 */
final class HealthCheckers implements AutoCloseable {
    private final PoolRegistry registry;
    private final Transport transport;
    private final EventLoopGroup group;
    private final HostResolver resolvers;
    /** One per pool of the running config, by pool name. */
    private Map<String, HealthChecker> checkers = new LinkedHashMap<>();

    /** The checkers a reload leaves, in the next config's pool order, and which of them are new (not started yet). */
    record Next(Map<String, HealthChecker> all, List<HealthChecker> toStart) {
        void startNew() {
            for (HealthChecker c : toStart) c.start();
        }
    }

    HealthCheckers(PoolRegistry registry, Transport transport, EventLoopGroup group, HostResolver resolvers) {
        this.registry = registry;
        this.transport = transport;
        this.group = group;
        this.resolvers = resolvers;
    }

    /** Builds the first config's checkers once the registry holds its pools; {@link #start} starts them. */
    void create(SwitchboardConfig config) {
        for (PoolConfig pc : config.pools().values()) checkers.put(pc.name(), newChecker(pc));
    }

    /** After the proxy and the DNS server: the first probes' transitions then reach everyone who listens. */
    void start() {
        for (HealthChecker c : checkers.values()) c.start();
    }

    /**
     * The checkers of {@code next}: kept, or new for a pool that is new or whose probe changed (the
     * replaced one is closed now); the checkers of {@code removedPools} are closed. The registry has
     * applied {@code next}'s pools already.
     */
    Next prepare(SwitchboardConfig before, SwitchboardConfig next, List<String> removedPools) {
        Map<String, HealthChecker> nextCheckers = new LinkedHashMap<>();
        List<HealthChecker> toStart = new ArrayList<>();
        for (PoolConfig pc : next.pools().values()) {
            PoolConfig was = before.pools().get(pc.name());
            HealthChecker cur = checkers.get(pc.name());
            if (cur != null && was != null && was.health().equals(pc.health())
                    && Objects.equals(was.tls(), pc.tls()) && was.sendProxy() == pc.sendProxy()) {
                nextCheckers.put(pc.name(), cur);
            } else {
                // the checker's interval, path and probe are fixed at construction
                if (cur != null) cur.close();
                HealthChecker checker = newChecker(pc);
                toStart.add(checker);
                nextCheckers.put(pc.name(), checker);
            }
        }
        for (String removed : removedPools) {
            HealthChecker c = checkers.get(removed);
            if (c != null) c.close();
        }
        return new Next(nextCheckers, toStart);
    }

    /** The reload is applied: {@code next} is the running set. */
    void use(Next next) {
        checkers = next.all();
    }

    private HealthChecker newChecker(PoolConfig pc) {
        return new HealthChecker(registry.pool(pc.name()), pc.health(), transport, group, resolvers, pc.tls(), pc.sendProxy());
    }

    @Override
    public void close() {
        for (HealthChecker c : checkers.values()) c.close();
    }
}
