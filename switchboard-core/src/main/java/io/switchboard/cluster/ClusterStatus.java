package io.switchboard.cluster;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What this balancer knows of its cluster, as the admin API and the dashboard show it: the group,
 * the members of the current view with their join times and addresses, the coordinator, who holds
 * which virtual address, what this node holds on its interface, and the replication counters.
 * Immutable; a new one per question.
 *
 * @param self this node's member name
 * @param group the group's name
 * @param viewId the agreed view's number (grows with every membership change); 0 before the first
 * @param coordinator the member that stamps the views (the oldest); null before the first view
 * @param members the members of the view, in view order
 * @param assignment virtual address to the member that holds it, in configured order
 * @param held the addresses this node has on its interface now (the assignment's share, once applied)
 * @param replication what this node sent to and applied from its peers
 */
public record ClusterStatus(String self, String group, long viewId, String coordinator, List<Member> members,
                            Map<String, String> assignment, List<String> held, Replication replication) {
    public ClusterStatus {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(group, "group");
        members = List.copyOf(members);
        assignment = Collections.unmodifiableMap(new LinkedHashMap<>(assignment));
        held = List.copyOf(held);
        Objects.requireNonNull(replication, "replication");
    }

    /**
     * @param name member name
     * @param endpoint its group endpoint ({@code host:port}) as JGroups reports it
     * @param joinedAtMillis when it joined, on the coordinator's clock
     * @param mature whether it may hold virtual addresses (in the group for the maturity period)
     * @param vips the addresses assigned to it
     */
    public record Member(String name, String endpoint, long joinedAtMillis, boolean mature, List<String> vips) {
        public Member {
            vips = List.copyOf(vips);
        }
    }

    /**
     * Counters since start.
     *
     * @param sent messages this node broadcast
     * @param received messages from peers
     * @param applied peer changes applied here (a stick entry, an admin change, a report, a health view)
     * @param dropped peer messages refused (unknown pool or server, malformed, older than what is here)
     */
    public record Replication(long sent, long received, long applied, long dropped) {
        public static final Replication NONE = new Replication(0, 0, 0, 0);
    }
}
