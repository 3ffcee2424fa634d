package io.switchboard.proxy.probe;

import io.switchboard.backend.BackendState;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolListener;
import io.switchboard.registry.RegistryEvent;
import io.switchboard.registry.RegistryListener;
import io.switchboard.registry.Transition;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every state change of a pool's back ends, one line each, with its cause:
 * {@code pool app: backend bravo up -> down (probe failed 3x: HTTP 503 (expected 200-399))}.
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

    private static void log(List<Transition> transitions) {
        for (Transition t : transitions) {
            String from = t.from() == null ? "new" : t.from().label();
            // Capacity lost by failure is a warning; an operator's drain, maint or removal is not.
            boolean operator = t.cause().startsWith("operator") || t.cause().startsWith("reload") || t.cause().startsWith("removed");
            boolean lost = t.from() == BackendState.UP && t.to() != BackendState.UP && !operator;
            if (lost || (t.note() && t.cause().startsWith("ejection refused"))) {
                log.warn("pool {}: backend {} {} -> {} ({})", t.pool(), t.backend(), from, t.to().label(), t.cause());
            } else {
                log.info("pool {}: backend {} {} -> {} ({})", t.pool(), t.backend(), from, t.to().label(), t.cause());
            }
        }
    }
}
