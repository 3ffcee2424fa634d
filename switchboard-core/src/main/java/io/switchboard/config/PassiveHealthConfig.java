package io.switchboard.config;

import java.time.Duration;

/**
 * Passive health: a back end that fails {@code consecutiveFailures} times in a row (connect
 * failures, resets, timeouts or 5xx when {@code count5xx}) is ejected for {@code baseEjection},
 * doubling on each repeat ejection up to {@code maxEjection}. 0 disables.
 */
public record PassiveHealthConfig(int consecutiveFailures, boolean count5xx, Duration baseEjection, Duration maxEjection) {
    public static final PassiveHealthConfig DEFAULT = new PassiveHealthConfig(5, true, Duration.ofSeconds(10), Duration.ofSeconds(300));

    public boolean enabled() {
        return consecutiveFailures > 0;
    }
}
