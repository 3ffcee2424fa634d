package io.switchboard.config;

import java.util.Locale;

/**
 * What a pool does when no back end is up. Never an accident of an empty list.
 *
 * <ul>
 *   <li>{@link #FAIL}: no back end is eligible; the proxy answers 503.
 *   <li>{@link #IGNORE_HEALTH}: health is ignored and every back end an operator left in service
 *       (not drain, not maint) is eligible (Envoy's "panic mode"): better a possibly-failing back end
 *       than a certain 503 when the probes themselves may be wrong.
 * </ul>
 */
public enum AllDownPolicy {
    FAIL, IGNORE_HEALTH;

    public static AllDownPolicy parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "fail" -> FAIL;
            case "ignore-health" -> IGNORE_HEALTH;
            default -> throw new IllegalArgumentException("unknown all-down policy '" + s + "' (allowed: fail, ignore-health)");
        };
    }
}
