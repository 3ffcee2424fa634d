package io.switchboard.backend;

import java.util.List;

/**
 * Told after each published change, on the writer's thread, after the new snapshot is visible.
 * Must be quick and must not call {@link Pool#apply} re-entrantly (queue it instead).
 */
@FunctionalInterface
public interface PoolListener {
    void onChange(Pool pool, Pool.Snapshot snapshot, List<Transition> transitions);
}
