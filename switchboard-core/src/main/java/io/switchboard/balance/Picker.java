package io.switchboard.balance;

import io.switchboard.backend.Backend;

/** Bound to one immutable BackendSet. Thread-safe; never blocks, never does I/O, never reads the clock. */
@FunctionalInterface
public interface Picker {
    /** null when no back end is eligible: the caller answers 503 or closes the connection. */
    Backend pick(PickContext ctx);

    Picker NONE = ctx -> null;
}
