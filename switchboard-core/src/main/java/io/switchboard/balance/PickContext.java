package io.switchboard.balance;

import io.switchboard.backend.Backend;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Per-request inputs to a {@link Picker}. The proxy passes real time and randomness; the simulator
 * virtual ones. {@code hash} is the request's affinity key (source address or URI) for the hashing
 * algorithms, ignored by the others. {@code exclude} holds back ends that already failed this
 * request (redispatch); never null.
 */
public record PickContext(long hash, long nowNanos, RandomGenerator random, Set<Backend> exclude) {
    public PickContext {
        if (random == null) throw new IllegalArgumentException("random must not be null");
        if (exclude == null) exclude = Set.of();
    }

    public boolean excluded(Backend b) {
        return !exclude.isEmpty() && exclude.contains(b);
    }

    /**
     * A uniform index in [0, bound) from this request's randomness. Multiply-shift instead of a
     * division (Lemire, "Fast Random Integer Generation in an Interval", 2019, without the
     * rejection step): the bias is below bound / 2^32, far under any balancing tolerance.
     */
    public int randomIndex(int bound) {
        return (int) (((random.nextLong() >>> 32) * bound) >>> 32);
    }
}
