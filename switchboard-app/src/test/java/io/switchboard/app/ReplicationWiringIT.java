package io.switchboard.app;

import static io.switchboard.app.ClusterTestConfig.freePort;
import static io.switchboard.app.ClusterTestConfig.withCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.config.AdminState;
import io.switchboard.config.ClusterConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.persist.StickTable;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app shares state between the members of its cluster: two dispatchers on 127.0.0.1, an
 * operator's drain and a stick entry on one appear on the other, and the status counts them.
 */
class ReplicationWiringIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final List<Switchboard> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (Switchboard sb : open) sb.close();
    }

    @Test
    void aDrainAndAStickOnOneDispatcherReachTheOther() throws Exception {
        Path key = Files.write(dir.resolve("cluster.key"), "a shared secret of more than 32 bytes, the same on both".getBytes());
        List<Integer> ports = List.of(freePort(), freePort());
        List<ClusterConfig.Endpoint> peers = ports.stream().map(p -> new ClusterConfig.Endpoint("127.0.0.1", p)).toList();
        String group = "replication-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Switchboard one = start(cluster("one", group, ports.get(0), peers, key));
        Switchboard two = start(cluster("two", group, ports.get(1), peers, key));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() ->
                one.clusterStatus().members().size() == 2 && two.clusterStatus().members().size() == 2);

        one.registry().apply("app", Origin.API, List.of(new Change.SetAdmin("a", AdminState.DRAIN, "deploy")));
        table(one).stick("user-1", "b", System.nanoTime());

        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() ->
                two.registry().pool("app").snapshot().backends().member("a").admin() == AdminState.DRAIN
                        && "b".equals(table(two).server("user-1", System.nanoTime())));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> two.clusterStatus().replication().applied() == 2);
        assertThat(one.clusterStatus().replication().sent()).isPositive();
        assertThat(one.clusterStatus().replication().applied()).isZero();
    }

    private static StickTable table(Switchboard sb) {
        return sb.proxy().state().persistence().pool("app").table();
    }

    private Switchboard start(SwitchboardConfig config) throws Exception {
        Switchboard sb = Switchboard.start(config);
        open.add(sb);
        return sb;
    }

    private static SwitchboardConfig cluster(String node, String group, int port, List<ClusterConfig.Endpoint> peers, Path key)
            throws ConfigException {
        SwitchboardConfig b = ConfigLoader.parse("""
                listeners:
                  - {address: 127.0.0.1, port: 0, default-pool: app}
                pools:
                  app:
                    servers:
                      - {name: a, address: "127.0.0.1:9"}
                      - {name: b, address: "127.0.0.1:10"}
                    persistence:
                      stick: {on: "header:X-User"}
                watch-config: false
                access-log: "off"
                """, "switchboard.yaml", null).config();
        ClusterConfig c = new ClusterConfig(node, group, "127.0.0.1", port, peers, key, Duration.ZERO, null, List.of(),
                List.of(), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(100),
                EnumSet.allOf(ClusterConfig.Shared.class));
        return withCluster(b, c);
    }
}
