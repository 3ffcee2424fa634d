package io.switchboard.registry;

import java.util.List;

/**
 * One published change of the registry, numbered: {@code version} grows by one per event across all
 * pools, so a subscriber that sees versions in order has missed nothing.
 *
 * @param kind a pool was added, changed (a new snapshot, or only history notes), or removed
 * @param snapshot the pool's snapshot after the change (for REMOVED, its last one); for an event
 *     that only adds history notes (a refused ejection) it is the snapshot already in force
 * @param transitions state changes and notes, in order; empty for ADDED and REMOVED of an empty pool
 */
public record RegistryEvent(long version, Kind kind, Origin origin, Pool pool, Pool.Snapshot snapshot,
                            List<Transition> transitions) {
    public enum Kind { ADDED, CHANGED, REMOVED }

    public RegistryEvent {
        transitions = List.copyOf(transitions);
    }

    public String poolName() {
        return pool.name();
    }
}
