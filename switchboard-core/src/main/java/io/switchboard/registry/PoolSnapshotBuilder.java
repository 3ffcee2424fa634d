package io.switchboard.registry;

import io.switchboard.backend.BackendSet;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.balance.Algorithm;
import io.switchboard.balance.Picker;
import io.switchboard.config.AllDownPolicy;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Builds what one {@link Pool} publishes after a batch: the members as readers see them, the
 * batch's transitions, and, when what a picker reads changed, the next {@link Pool.Snapshot} (a
 * versioned {@link BackendSet} and the algorithm's {@link Picker} bound to it). The snapshot is the
 * same object {@link Pool#pick} reads; only its building lives here. Linear in the pool's size.
 *
 * <p>Threading: the pool's writer only, under its write lock; the version counter is the writer's.
 */
final class PoolSnapshotBuilder {
    /**
     * The members and transitions of one batch.
     *
     * @param needsTick a member is ramping or ejected: {@link Change.Tick} must republish
     */
    record Batch(List<Transition> transitions, List<Member> members, boolean needsTick) {}

    private final String pool;
    private final InstantSource wallClock;
    /** The version of the last {@link BackendSet} built. */
    private long version;

    PoolSnapshotBuilder(String pool, InstantSource wallClock) {
        this.pool = pool;
        this.wallClock = wallClock;
    }

    /** What a pool publishes before its first batch: no back end. */
    static Pool.Snapshot empty(Algorithm algorithm) {
        return new Pool.Snapshot(BackendSet.empty(), algorithm.newPicker(BackendSet.empty(), null), algorithm);
    }

    /**
     * The members after a batch and its transitions: the batch's notes, then a state change for each
     * member whose published state changed (recorded as published on its slot), then the removals.
     *
     * @param before the slots as they were before the batch (copies), in order
     */
    Batch batch(Map<String, Slot> slots, Map<String, Slot> before, List<Transition> notes, long slowStartNanos,
                Origin origin, long now) {
        // notes first: they describe the batch as it went, the state changes where it ended
        List<Transition> transitions = new ArrayList<>(notes);
        List<Member> members = new ArrayList<>(slots.size());
        boolean tick = false;
        for (Slot s : slots.values()) {
            BackendState st = s.state();
            int eff = s.effectiveWeight(now, slowStartNanos);
            if (s.rampStart != Long.MIN_VALUE || s.ejected) tick = true;
            if (s.published != st) {
                Slot was = before.get(s.backend.name());
                transitions.add(new Transition(pool, s.backend.name(), was == null ? null : was.published, st, s.cause,
                        wallClock.millis(), now, origin));
                s.published = st;
            }
            members.add(new Member(s.backend, st, s.admin, s.weight, eff, s.cause));
        }
        for (Map.Entry<String, Slot> e : before.entrySet()) {
            if (!slots.containsKey(e.getKey())) {
                transitions.add(new Transition(pool, e.getKey(), e.getValue().published, BackendState.MAINT,
                        origin == Origin.FILE ? "removed by reload" : "removed", wallClock.millis(), now, origin));
            }
        }
        return new Batch(transitions, members, tick);
    }

    /**
     * The snapshot to publish after the batch: {@code prev} itself unless a picker needs rebuilding
     * (another algorithm, another all-down policy or new tags, as tag filters are cached per
     * snapshot, or members that differ from {@code prev}'s); else the batch's members under the next
     * version, and the algorithm's picker over them.
     */
    Pool.Snapshot next(Pool.Snapshot prev, Batch batch, Algorithm algorithm, AllDownPolicy allDown,
                       boolean allDownOrTagsChanged, Collection<Slot> slots) {
        if (algorithm == prev.algorithm() && !allDownOrTagsChanged && batch.members().equals(prev.backends().members())) {
            return prev;
        }
        BackendSet set = new BackendSet(++version, batch.members(), allDown);
        // Same class, new settings (LARD thresholds): the targets keep their back ends.
        Picker carried = algorithm.getClass() == prev.algorithm().getClass() ? prev.picker() : null;
        if (carried == null) {
            // Another algorithm: a tree the old picker kept (least-conn's) would go on being
            // updated by every request for nothing, and a chain's copy of the report figures by
            // every report. The new picker installs its own, if any.
            for (Slot s : slots) {
                s.backend.watch(null);
                s.backend.watchReports(null);
            }
        }
        return new Pool.Snapshot(set, algorithm.newPicker(set, carried), algorithm);
    }
}
