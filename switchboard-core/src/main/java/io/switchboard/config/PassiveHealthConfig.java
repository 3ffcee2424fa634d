package io.switchboard.config;

import java.time.Duration;

/**
 * Passive health: a back end that fails {@code consecutiveFailures} times in a row (connect
 * failures, resets, timeouts or 5xx when {@code count5xx}) is ejected for {@code baseEjection},
 * doubling on each repeat ejection up to {@code maxEjection}. 0 disables. At most
 * {@code maxEjectionPercent} of the pool's back ends are ejected at once, and always at least one.
 */
public record PassiveHealthConfig(int consecutiveFailures, boolean count5xx, Duration baseEjection, Duration maxEjection,
                                  int maxEjectionPercent) {
    /** Envoy's default share. */
    public static final int DEFAULT_MAX_EJECTION_PERCENT = 10;
    public static final PassiveHealthConfig DEFAULT = new PassiveHealthConfig(5, true, Duration.ofSeconds(10), Duration.ofSeconds(300));

    public PassiveHealthConfig {
        if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
            throw new IllegalArgumentException("max-ejection-percent " + maxEjectionPercent + " out of range 0-100");
        }
    }

    /** With the default share ({@value #DEFAULT_MAX_EJECTION_PERCENT} %). */
    public PassiveHealthConfig(int consecutiveFailures, boolean count5xx, Duration baseEjection, Duration maxEjection) {
        this(consecutiveFailures, count5xx, baseEjection, maxEjection, DEFAULT_MAX_EJECTION_PERCENT);
    }

    public boolean enabled() {
        return consecutiveFailures > 0;
    }
}
