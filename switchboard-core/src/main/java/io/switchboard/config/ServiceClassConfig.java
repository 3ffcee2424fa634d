package io.switchboard.config;

import java.time.Duration;
import java.util.Set;

/**
 * One service class of a pool: how many of its requests may wait for a back end under its
 * {@code max-connections}, for how long, what a refused one is told, and which back ends it may use.
 * A pool ranks its classes by their order in {@link PoolConfig#classes()} (first served first).
 *
 * @param queueSize    waiters of this class at most; one more is answered 503
 * @param queueTimeout how long one of its requests may wait; longer: 503
 * @param retryAfter   the {@code Retry-After} of this class's 503s (whole seconds, rounded up); null: none
 * @param tags         the class only uses back ends that carry all of these; empty: any back end
 */
public record ServiceClassConfig(String name, int queueSize, Duration queueTimeout, Duration retryAfter, Set<String> tags) {
    /** The class of requests that name none (and of every request when a pool lists no classes). */
    public static final String DEFAULT = "default";

    public ServiceClassConfig {
        NameSyntax.parse(name);
        if (queueSize < 0) throw new IllegalArgumentException("class '" + name + "': queue size must not be negative");
        if (queueTimeout == null) queueTimeout = PoolConfig.DEFAULT_QUEUE_TIMEOUT;
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("class '" + name + "': retry-after must not be negative");
        }
        tags = tags == null ? Set.of() : Set.copyOf(tags);
    }

    /** The {@code Retry-After} value in whole seconds, rounded up; -1 when the class sets none. */
    public long retryAfterSeconds() {
        if (retryAfter == null) return -1;
        long s = retryAfter.toSeconds();
        return retryAfter.toNanosPart() > 0 ? s + 1 : s;
    }
}
