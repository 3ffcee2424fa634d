package io.switchboard.balance;

import io.switchboard.backend.BackendSet;

/** One balancing algorithm, a stateless factory; one final class per algorithm. */
public interface Algorithm {
    /** The config key, e.g. "least-conn". */
    String name();

    /** Called by the pool's writer on each change, never per request. previous may carry cursors over; may be null. */
    Picker newPicker(BackendSet backends, Picker previous);
}
