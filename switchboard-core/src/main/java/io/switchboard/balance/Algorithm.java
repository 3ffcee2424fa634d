package io.switchboard.balance;

import io.switchboard.backend.BackendSet;

/** One balancing algorithm, a stateless factory; one final class per algorithm. */
public interface Algorithm {
    /** The config key, e.g. "least-conn". */
    String name();

    /** Called by the pool's writer on each change, never per request. previous may carry cursors over; may be null. */
    Picker newPicker(BackendSet backends, Picker previous);

    /**
     * Whether this algorithm's pickers read the back ends' peak-EWMA latency. The data plane skips
     * measuring it (a synchronized update per request) for algorithms that do not.
     */
    default boolean readsLatency() {
        return false;
    }

    /** What the data plane must hash into {@link PickContext#hash()} for this algorithm. */
    default AffinityKey affinityKey() {
        return AffinityKey.NONE;
    }

    /** Whether this algorithm's pickers read the back ends' sliding-window traffic counter. */
    default boolean readsTraffic() {
        return false;
    }

    /**
     * Whether this algorithm's pickers read the back ends' agent reports and the request cost
     * dispatched since ({@code Backend.costSinceReport()}): the data plane counts a request's cost
     * ({@code Backend.addCost}) only for them.
     */
    default boolean readsLoad() {
        return false;
    }
}
