package io.switchboard.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One balancer as the agreed group view names it: its stable id, the time it joined (in the
 * cluster's agreed time base, never a member's local clock) and the virtual addresses it would
 * rather hold. Immutable; safe to share between threads.
 *
 * @param id stable name of the member, unique within a view
 * @param joinedAtMillis when the member joined the group, in the same time base as the {@code nowMillis}
 *     given to {@link VipAssignment#assign}
 * @param preferredVips addresses this member should hold when the balance rule allows, most wanted first
 */
public record ClusterMember(String id, long joinedAtMillis, List<String> preferredVips) {
    public ClusterMember {
        Objects.requireNonNull(id, "cluster member id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("cluster member id must not be blank");
        }
        preferredVips = List.copyOf(preferredVips);
    }

    /** A member without preferences. */
    public ClusterMember(String id, long joinedAtMillis) {
        this(id, joinedAtMillis, List.of());
    }

    /** True when the member has been in the group for at least {@code maturity} at {@code nowMillis}. */
    public boolean matureAt(long nowMillis, Duration maturity) {
        return nowMillis - joinedAtMillis >= maturity.toMillis();
    }
}
