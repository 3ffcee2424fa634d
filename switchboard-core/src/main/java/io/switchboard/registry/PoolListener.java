package io.switchboard.registry;

import java.util.List;

/**
 * Told after each published change of one pool, on the writing thread, under the write lock, after
 * the new snapshot is visible. Must be quick and must not write to a pool synchronously (use
 * {@link Pool#submit}, or queue the work elsewhere).
 */
@FunctionalInterface
public interface PoolListener {
    void onChange(Pool pool, Pool.Snapshot snapshot, List<Transition> transitions);
}
