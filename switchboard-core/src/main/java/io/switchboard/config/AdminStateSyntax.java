package io.switchboard.config;

import java.util.Locale;

/**
 * A back end's operator state as people write it, in the config file ({@code state: drain}) and the
 * admin API ({@code {"state": "drain"}}) alike: {@code ready}, {@code drain} or {@code maint}, in
 * any case. No aliases: one spelling per state, so that logs, the API's answers and the file agree.
 *
 * <p>Stateless; thread-safe.
 */
public final class AdminStateSyntax {
    static final String ALLOWED = "ready, drain, maint";

    private AdminStateSyntax() {}

    /** @throws IllegalArgumentException with a message that quotes the text and lists the states */
    public static AdminState parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "ready" -> AdminState.READY;
            case "drain" -> AdminState.DRAIN;
            case "maint" -> AdminState.MAINT;
            default -> throw new IllegalArgumentException("unknown state '" + text + "' (allowed: " + ALLOWED + ")");
        };
    }

    /** The spelling {@link #parse} reads back. */
    public static String format(AdminState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
