package io.switchboard.cluster.group;

import io.switchboard.config.ClusterConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Group settings for tests that are not about the key: no preferences, default timings, a key per group name. */
public final class TestGroups {
    private TestGroups() {}

    public static GroupSettings settings(String nodeName, String groupName, InetAddress bindAddress, int bindPort,
                                         List<InetSocketAddress> peers, List<String> vips, Duration maturity) {
        return new GroupSettings(nodeName, groupName, bindAddress, bindPort, peers, vips, maturity, List.of(),
                GroupSettings.deriveKey(("switchboard test key for group " + groupName).getBytes(StandardCharsets.UTF_8)),
                ClusterConfig.DEFAULT_HEARTBEAT, ClusterConfig.DEFAULT_FAILURE_TIMEOUT,
                ClusterConfig.DEFAULT_SUSPECT_TIMEOUT);
    }
}
