package io.switchboard.backend;

/** A back end's published state changed, and why. {@code epochMillis} is wall time for people; nanos for ordering. */
public record Transition(String pool, String backend, BackendState from, BackendState to, String cause,
                         long epochMillis, long nanos) {
    @Override
    public String toString() {
        return pool + "/" + backend + " " + (from == null ? "new" : from.label()) + " -> " + to.label() + " (" + cause + ")";
    }
}
