package io.switchboard.proxy.probe;

import io.switchboard.backend.BackendState;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolListener;
import io.switchboard.registry.RegistryEvent;
import io.switchboard.registry.RegistryListener;
import io.switchboard.registry.Transition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every state change of a pool's back ends, one line each, with its cause:
 * {@code pool app: backend bravo up -> down (probe failed 3x: HTTP 503 (expected 200-399))}. A change
 * of more than {@value #LISTED} back ends at once (a start or reload) logs its like INFO lines together:
 * {@code pool app: 10000 backends new -> up (configured): s0, s1, ... and 9990 more}.
 * WARN when a back end leaves UP by failure (capacity was lost) or an ejection is refused (a failing
 * back end stays in service), INFO otherwise (including operator actions and weight changes).
 *
 * <p>The dispatcher subscribes it to the {@link io.switchboard.registry.PoolRegistry} (the core has
 * no logging of its own); a pool outside a registry can take it as a {@link PoolListener}.
 *
 * <p>Threading: stateless; called on the writing thread after each published change, and only logs.
 */
public final class TransitionLog implements RegistryListener, PoolListener {
    private static final Logger log = LoggerFactory.getLogger(TransitionLog.class);

    @Override
    public void onEvent(RegistryEvent event) {
        log(event.transitions());
    }

    @Override
    public void onChange(Pool pool, Pool.Snapshot snapshot, List<Transition> transitions) {
        log(transitions);
    }

    /**
     * How many like INFO lines one change may log one by one; past that, they become one line that
     * names the first of them and counts the rest (a start or reload of a 10,000-server pool logged
     * 10,000 lines "new -> up (configured)"). Warnings are always logged one by one.
     */
    static final int LISTED = 10;

    private static void log(List<Transition> transitions) {
        Map<Alike, List<String>> alike = null;   // the back ends of each kind of INFO line, in a large change
        if (transitions.size() > LISTED) alike = new LinkedHashMap<>();
        for (Transition t : transitions) {
            String from = t.from() == null ? "new" : t.from().label();
            // Capacity lost by failure is a warning; an operator's drain, maint or removal is not.
            boolean operator = t.cause().startsWith("operator") || t.cause().startsWith("reload") || t.cause().startsWith("removed");
            boolean lost = t.from() == BackendState.UP && t.to() != BackendState.UP && !operator;
            if (lost || (t.note() && t.cause().startsWith("ejection refused"))) {
                log.warn("pool {}: backend {} {} -> {} ({})", t.pool(), t.backend(), from, t.to().label(), t.cause());
            } else if (alike != null) {
                alike.computeIfAbsent(new Alike(t.pool(), from, t.to().label(), t.cause()), k -> new ArrayList<>()).add(t.backend());
            } else {
                log.info("pool {}: backend {} {} -> {} ({})", t.pool(), t.backend(), from, t.to().label(), t.cause());
            }
        }
        if (alike == null) return;
        for (Map.Entry<Alike, List<String>> e : alike.entrySet()) {
            Alike k = e.getKey();
            List<String> backends = e.getValue();
            if (backends.size() == 1) {
                log.info("pool {}: backend {} {} -> {} ({})", k.pool(), backends.get(0), k.from(), k.to(), k.cause());
            } else if (backends.size() <= LISTED) {
                log.info("pool {}: backends {} {} -> {} ({})", k.pool(), String.join(", ", backends), k.from(), k.to(), k.cause());
            } else {
                log.info("pool {}: {} backends {} -> {} ({}): {} and {} more", k.pool(), backends.size(), k.from(), k.to(), k.cause(),
                        String.join(", ", backends.subList(0, LISTED)), backends.size() - LISTED);
            }
        }
    }

    /** What like lines share: all but the back end's name. */
    private record Alike(String pool, String from, String to, String cause) {}
}
