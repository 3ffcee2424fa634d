package io.switchboard.cluster.group;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one node needs to join the group: its own name and TCP endpoint, the static list of peers
 * to look for, and the virtual addresses whose assignment it reports on every view. Immutable.
 *
 * @param nodeName this node's member id, unique in the group (it is the id in {@link io.switchboard.cluster.ClusterMember})
 * @param groupName the JGroups cluster name; nodes with another name never join this group
 * @param bindAddress the local address the group's TCP transport listens on
 * @param bindPort the TCP port (1-65535); the failure detector (FD_SOCK2) also uses a port 100 above it
 * @param peers every node's group endpoint (this node's own may be listed too): TCPPING's initial hosts
 * @param vips the virtual addresses to assign, in configured order, without duplicates
 * @param maturity how long a member must be in the group before it takes addresses
 */
public record GroupSettings(
        String nodeName,
        String groupName,
        InetAddress bindAddress,
        int bindPort,
        List<InetSocketAddress> peers,
        List<String> vips,
        Duration maturity) {
    public GroupSettings {
        Objects.requireNonNull(nodeName, "node name");
        Objects.requireNonNull(groupName, "group name");
        Objects.requireNonNull(bindAddress, "bind address");
        Objects.requireNonNull(maturity, "maturity");
        if (nodeName.isBlank()) {
            throw new IllegalArgumentException("cluster node name must not be blank");
        }
        if (groupName.isBlank()) {
            throw new IllegalArgumentException("cluster group name must not be blank");
        }
        if (bindPort < 1 || bindPort > 65535) {
            throw new IllegalArgumentException(
                    "cluster bind port " + bindPort + " is out of range; allowed: 1-65535 (TCPPING needs a fixed port)");
        }
        if (maturity.isNegative()) {
            throw new IllegalArgumentException("cluster maturity must be zero or positive, got " + maturity);
        }
        peers = List.copyOf(peers);
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("cluster peer list is empty; list at least this node's own address:port");
        }
        vips = List.copyOf(vips);
        Set<String> seen = new HashSet<>();
        for (String vip : vips) {
            if (!seen.add(vip)) {
                throw new IllegalArgumentException(
                        "virtual address '" + vip + "' is listed twice; each address may appear once");
            }
        }
    }
}
