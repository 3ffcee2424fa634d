package io.switchboard.registry;

import io.switchboard.backend.BackendState;

/**
 * One entry of a pool's history: a back end's published state changed, and why. An entry with
 * {@code from == to} records something that did not change the state but that people need to see
 * (a weight change, a refused ejection). {@code epochMillis} is wall time for people; nanos for
 * ordering; {@code origin} says which source of changes caused it.
 */
public record Transition(String pool, String backend, BackendState from, BackendState to, String cause,
                         long epochMillis, long nanos, Origin origin) {
    /** A transition of unstated origin, as an operator's. */
    public Transition(String pool, String backend, BackendState from, BackendState to, String cause,
                      long epochMillis, long nanos) {
        this(pool, backend, from, to, cause, epochMillis, nanos, Origin.API);
    }

    /** Whether the published state stayed the same (a note, not a state change). */
    public boolean note() {
        return from == to;
    }

    @Override
    public String toString() {
        return pool + "/" + backend + " " + (from == null ? "new" : from.label()) + " -> " + to.label() + " (" + cause + ")";
    }
}
