package io.switchboard.cluster.group;

import io.switchboard.cluster.ClusterMember;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One agreed view of the group as every member computes it: the members in JGroups view order
 * (the coordinator first) with the join times the coordinator stamped, the agreed time of the
 * stamp, and who holds which virtual address. Immutable.
 *
 * @param viewId JGroups' view counter; grows with every view
 * @param stampedAtMillis the coordinator's clock when it stamped this view (the {@code nowMillis} of the assignment)
 * @param members the members in view order
 * @param assignment virtual address to member id, in configured address order
 */
public record ClusterView(long viewId, long stampedAtMillis, List<ClusterMember> members, Map<String, String> assignment) {
    public ClusterView {
        members = List.copyOf(members);
        assignment = Collections.unmodifiableMap(new LinkedHashMap<>(assignment));
    }

    /** The coordinator's member id (the first in view order). */
    public String coordinator() {
        return members.isEmpty() ? null : members.getFirst().id();
    }

    /** The member ids in view order. */
    public List<String> memberIds() {
        return members.stream().map(ClusterMember::id).toList();
    }
}
