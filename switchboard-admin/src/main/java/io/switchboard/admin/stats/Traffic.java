package io.switchboard.admin.stats;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.ExchangeListener;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolListener;
import io.switchboard.registry.Transition;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-back-end request statistics for the admin API, the dashboard and {@code /metrics}, fed by
 * every finished exchange ({@link ExchangeListener}) and by each pool's transitions (ejections).
 *
 * <p>Entries are keyed by pool and back-end name, not by {@link Backend} object, so that counters
 * survive a reload that keeps a back end. Requests that found no back end are counted under
 * {@link #NONE}; requests that never reached a pool (malformed) under pool {@link #NONE}.
 *
 * <p>Threading: {@link #onExchange} runs on event loops and does two map reads and a few
 * {@code LongAdder} increments (no allocation once a back end has been seen); pool listeners run
 * on pool writers. {@link #retain} and the readers run on the admin worker thread.
 */
public final class Traffic implements ExchangeListener, PoolListener {
    /** The name used for "no pool" and "no back end", as in the access log. */
    public static final String NONE = "-";

    private final Map<String, Map<String, BackendTraffic>> byPool = new ConcurrentHashMap<>();
    private final Set<Pool> watched = ConcurrentHashMap.newKeySet();

    @Override
    public void onExchange(AccessRecord r, Pool pool, Backend backend) {
        if (pool != null && !watched.contains(pool)) watch(pool); // a read: adding takes a lock on the hot path
        String p = pool != null ? pool.name() : NONE;
        String b = backend != null ? backend.name() : NONE;
        of(p, b).onExchange(r.status(), r.durationMicros(), r.retries());
    }

    @Override
    public void onChange(Pool pool, Pool.Snapshot snapshot, List<Transition> transitions) {
        for (Transition t : transitions) {
            if (t.to() == BackendState.DOWN && t.cause().startsWith("ejected")) of(t.pool(), t.backend()).onEjection();
        }
    }

    /** Starts counting a pool's ejections (idempotent; the admin plane calls it for every live pool each second). */
    public void watch(Pool pool) {
        if (watched.add(pool)) pool.addListener(this);
    }

    /** The counters of one back end, created on first use. */
    public BackendTraffic of(String pool, String backend) {
        Map<String, BackendTraffic> m = byPool.get(pool);
        if (m == null) m = byPool.computeIfAbsent(pool, k -> new ConcurrentHashMap<>());
        BackendTraffic t = m.get(backend);
        if (t == null) t = m.computeIfAbsent(backend, k -> new BackendTraffic());
        return t;
    }

    /** The counters of one back end, or null when it has seen no traffic yet. */
    public BackendTraffic get(String pool, String backend) {
        Map<String, BackendTraffic> m = byPool.get(pool);
        return m == null ? null : m.get(backend);
    }

    /** Every counted (pool, back end), including {@link #NONE} entries. A live view. */
    public Map<String, Map<String, BackendTraffic>> all() {
        return byPool;
    }

    /**
     * Forgets back ends and pools that are no longer live (removed by the API or a reload), and stops
     * watching pools that were replaced: their series end, as Prometheus expects of a target that
     * went away. {@link #NONE} entries of live pools are kept.
     */
    public void retain(Map<String, Pool> live) {
        byPool.keySet().removeIf(p -> !p.equals(NONE) && !live.containsKey(p));
        for (Map.Entry<String, Map<String, BackendTraffic>> e : byPool.entrySet()) {
            Pool pool = live.get(e.getKey());
            if (pool == null) continue;
            Set<String> names = new HashSet<>();
            for (Member m : pool.snapshot().backends().members()) names.add(m.backend().name());
            e.getValue().keySet().removeIf(b -> !b.equals(NONE) && !names.contains(b));
        }
        watched.removeIf(p -> {
            if (live.get(p.name()) == p) return false;
            p.removeListener(this);
            return true;
        });
        for (Pool p : live.values()) watch(p);
    }
}
