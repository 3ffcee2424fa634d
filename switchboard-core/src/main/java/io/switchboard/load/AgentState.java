package io.switchboard.load;

import java.util.Locale;

/**
 * The state a back end's agent asks for, as HAProxy's agent-check protocol words it. {@link #NONE}
 * when the agent said nothing about state (a load figure or a weight only).
 *
 * <p>An agent can take a server out ({@link #DOWN}, {@link #DRAIN}, {@link #MAINT}) and give it back
 * ({@link #UP}, {@link #READY}); it can never make a server that fails its health checks eligible.
 * Silence is not a state: a report that stops coming is "no data", never "down".
 */
public enum AgentState {
    NONE, UP, READY, DOWN, DRAIN, MAINT;

    /** The word as the agent-check protocol writes it; {@code ""} for NONE. */
    public String word() {
        return this == NONE ? "" : name().toLowerCase(Locale.ROOT);
    }

    /** The state for an agent-check word ({@code up}, {@code ready}, {@code down}, {@code fail}, {@code stopped}, {@code drain}, {@code maint}); null when it is not one. */
    public static AgentState ofWord(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "up" -> UP;
            case "ready" -> READY;
            case "down", "fail", "stopped" -> DOWN;
            case "drain" -> DRAIN;
            case "maint" -> MAINT;
            default -> null;
        };
    }
}
