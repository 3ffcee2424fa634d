package io.switchboard.admin.stats;

import io.switchboard.backend.Member;
import io.switchboard.registry.Pool;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Samples every live back end's counters once a second into its {@link Series}: the dashboard's
 * sparklines and the API's rates and percentiles come from here. Back ends that are gone lose their
 * series at the next tick.
 *
 * <p>Threading: confined to the admin worker thread, which also serves every reader of the series.
 */
public final class Sampler {
    private final Traffic traffic;
    private final Map<String, Map<String, Series>> series = new HashMap<>();

    public Sampler(Traffic traffic) {
        this.traffic = traffic;
    }

    public void tick(Map<String, Pool> pools, long nowNanos) {
        traffic.retain(pools);
        series.keySet().retainAll(pools.keySet());
        for (Pool pool : pools.values()) {
            Map<String, Series> ofPool = series.computeIfAbsent(pool.name(), k -> new HashMap<>());
            Set<String> seen = new HashSet<>();
            for (Member m : pool.snapshot().backends().members()) {
                String name = m.backend().name();
                seen.add(name);
                ofPool.computeIfAbsent(name, k -> new Series())
                        .sample(traffic.of(pool.name(), name), m.backend().inFlight(), nowNanos);
            }
            seen.add(Traffic.NONE);
            ofPool.computeIfAbsent(Traffic.NONE, k -> new Series()).sample(traffic.of(pool.name(), Traffic.NONE), 0, nowNanos);
            ofPool.keySet().retainAll(seen);
        }
    }

    /** A back end's series, or null before its first sample. */
    public Series get(String pool, String backend) {
        Map<String, Series> m = series.get(pool);
        return m == null ? null : m.get(backend);
    }
}
