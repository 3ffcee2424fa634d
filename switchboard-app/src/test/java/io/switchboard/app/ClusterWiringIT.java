package io.switchboard.app;

import static io.switchboard.app.ClusterTestConfig.freePort;
import static io.switchboard.app.ClusterTestConfig.withCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.cluster.ClusterStatus;
import io.switchboard.config.ClusterConfig;
import io.switchboard.config.SwitchboardConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app runs its cluster membership: two dispatchers with a {@code cluster} section on 127.0.0.1
 * form one group, report it through {@link Switchboard#clusterStatus}, and one leaving at shutdown
 * hands its virtual address to the other. No interface is configured, so nothing is added to one.
 */
class ClusterWiringIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> VIPS = List.of("10.79.0.100/24", "10.79.0.101/24");

    @TempDir
    Path dir;
    private final List<Switchboard> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (Switchboard sb : open) sb.close();
    }

    @Test
    void twoDispatchersFormOneGroupAndTheSurvivorTakesTheAddresses() throws Exception {
        Path key = Files.write(dir.resolve("cluster.key"), "a shared secret of more than 32 bytes, the same on both".getBytes());
        List<Integer> ports = List.of(freePort(), freePort());
        List<ClusterConfig.Endpoint> peers = ports.stream().map(p -> new ClusterConfig.Endpoint("127.0.0.1", p)).toList();
        String group = "wiring-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

        Switchboard one = start(cluster("one", group, ports.get(0), peers, key));
        Switchboard two = start(cluster("two", group, ports.get(1), peers, key));

        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() ->
                one.clusterStatus().members().size() == 2 && two.clusterStatus().viewId() == one.clusterStatus().viewId()
                        && two.clusterStatus().assignment().equals(one.clusterStatus().assignment()));
        ClusterStatus status = one.clusterStatus();
        assertThat(status.self()).isEqualTo("one");
        assertThat(status.group()).isEqualTo(group);
        assertThat(status.coordinator()).isEqualTo("one");
        assertThat(status.members()).extracting(ClusterStatus.Member::name).containsExactly("one", "two");
        assertThat(status.assignment()).containsOnlyKeys(VIPS).containsValues("one", "two");

        two.close();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> one.clusterStatus().members().size() == 1);
        assertThat(one.clusterStatus().assignment()).containsOnlyKeys(VIPS).containsValues("one").doesNotContainValue("two");
    }

    @Test
    void withoutAClusterSectionThereIsNoStatus() throws Exception {
        assertThat(start(base()).clusterStatus()).isNull();
    }

    @Test
    void aMissingKeyFileStopsTheStartWithItsName() throws Exception {
        Path missing = dir.resolve("missing.key");
        SwitchboardConfig config = cluster("one", "g", freePort(), List.of(new ClusterConfig.Endpoint("127.0.0.1", 7800)), missing);
        assertThatThrownBy(() -> start(config))
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    private Switchboard start(SwitchboardConfig config) throws Exception {
        Switchboard sb = Switchboard.start(config);
        open.add(sb);
        return sb;
    }

    private SwitchboardConfig base() throws ConfigException {
        return ConfigLoader.parse("""
                listeners:
                  - {address: 127.0.0.1, port: 0, default-pool: app}
                pools:
                  app:
                    servers:
                      - {name: a, address: "127.0.0.1:9"}
                watch-config: false
                access-log: "off"
                """, "switchboard.yaml", null).config();
    }

    private SwitchboardConfig cluster(String node, String group, int port, List<ClusterConfig.Endpoint> peers, Path key)
            throws ConfigException {
        SwitchboardConfig b = base();
        ClusterConfig c = new ClusterConfig(node, group, "127.0.0.1", port, peers, key, Duration.ZERO, null, VIPS,
                List.of(), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(100), Set.of());
        return withCluster(b, c);
    }
}
