package io.switchboard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * This balancer's membership in a cluster of balancers ({@code cluster:} at the top of the file):
 * its name, the group's TCP endpoints, the shared key that encrypts and authenticates the group's
 * traffic, the virtual addresses the members hold between them, and what state the members share.
 * Plain data: the app checks it, {@code switchboard-cluster} runs it.
 *
 * @param node this node's member name, unique in the group (default: the host name)
 * @param group the group's name; nodes configured with another name never join this group
 * @param bindHost the local address the group's TCP transport listens on
 * @param bindPort its port (1-65535)
 * @param peers every member's group endpoint ({@code host:port}); this node's own may be listed
 * @param keyFile the shared secret (at least 32 bytes of it; the same file on every member)
 * @param maturity how long a member must be in the group before it takes virtual addresses
 * @param vipInterface the network interface the held virtual addresses are added to
 * @param vips the virtual addresses, CIDR ({@code 10.0.0.100/24}), in configured order, no duplicates
 * @param prefer the addresses this node prefers to hold, in its order of preference (each one of {@code vips})
 * @param heartbeat how often members tell each other they are alive
 * @param failureTimeout a member silent this long is suspected (a link down); a killed process is seen at once
 * @param suspectTimeout how long a suspicion is verified before the member is excluded
 * @param replicate what the members share
 */
public record ClusterConfig(
        String node,
        String group,
        String bindHost,
        int bindPort,
        List<Endpoint> peers,
        Path keyFile,
        Duration maturity,
        String vipInterface,
        List<String> vips,
        List<String> prefer,
        Duration heartbeat,
        Duration failureTimeout,
        Duration suspectTimeout,
        Set<Shared> replicate) {
    public static final String DEFAULT_GROUP = "switchboard";
    public static final int DEFAULT_PORT = 7800;
    public static final Duration DEFAULT_MATURITY = Duration.ofSeconds(2);
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofMillis(100);
    public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofMillis(500);
    public static final Duration DEFAULT_SUSPECT_TIMEOUT = Duration.ofMillis(100);

    public ClusterConfig {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(bindHost, "bind host");
        Objects.requireNonNull(keyFile, "key file");
        Objects.requireNonNull(maturity, "maturity");
        peers = List.copyOf(peers);
        vips = List.copyOf(vips);
        prefer = List.copyOf(prefer);
        replicate = Set.copyOf(replicate);
    }

    /** A member's group endpoint. */
    public record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /** What the members share with each other (all of it by default). */
    public enum Shared {
        /** Stick-table entries: a sticky client keeps its server after a failover. */
        STICK_TABLES,
        /** Operator changes through the admin API: drain, weight, state. */
        ADMIN,
        /** Load reports from the back ends' agents. */
        LOAD,
        /** What each member's health checks see. */
        HEALTH;

        /** As written in the file: {@code stick-tables}, {@code admin}, {@code load}, {@code health}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
