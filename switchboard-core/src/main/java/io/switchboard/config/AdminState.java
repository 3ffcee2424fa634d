package io.switchboard.config;

import java.util.Locale;

/** What an operator asked for; health decides the rest. Config and admin API spell these in lower case. */
public enum AdminState {
    READY, DRAIN, MAINT;

    public static AdminState parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "ready", "up" -> READY;
            case "drain" -> DRAIN;
            case "maint", "maintenance" -> MAINT;
            default -> throw new IllegalArgumentException("unknown state '" + s + "' (allowed: ready, drain, maint)");
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
