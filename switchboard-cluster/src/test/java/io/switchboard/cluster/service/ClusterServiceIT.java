package io.switchboard.cluster.service;

import static io.switchboard.cluster.vip.TestNetwork.addresses;
import static io.switchboard.cluster.vip.TestNetwork.in;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.cluster.ClusterStatus;
import io.switchboard.cluster.TestPorts;
import io.switchboard.cluster.group.GroupSettings;
import io.switchboard.cluster.vip.TestNetwork;
import io.switchboard.cluster.vip.VipHolder;
import io.switchboard.config.ClusterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three cluster services on 127.0.0.1, each holding its addresses on a veth interface in a network
 * namespace of its own (the test makes and removes them): every address is on exactly one
 * interface, the one of the member it is assigned to, also after a member leaves.
 */
class ClusterServiceIT {
    private static final String DEV = "sbd0";
    private static final List<String> VIPS = List.of("10.78.0.100/24", "10.78.0.101/24", "10.78.0.102/24", "10.78.0.103/24");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private TestNetwork net;
    private final Map<String, String> namespaces = new LinkedHashMap<>();
    private final List<ClusterService> open = new ArrayList<>();

    @BeforeEach
    void namespaces() throws Exception {
        TestNetwork.assumeRoot();
        net = new TestNetwork();
        for (String name : List.of("a", "b", "c")) {
            String ns = net.namespace("svc" + name);
            net.veth(ns, DEV);
            namespaces.put(name, ns);
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (ClusterService s : open) {
            s.close();
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void everyAddressIsOnExactlyOneInterfaceAlsoAfterAMemberLeaves() throws Exception {
        Path key = dir.resolve("cluster.key");
        Files.write(key, "0123456789abcdef0123456789abcdef-test".getBytes());
        List<Integer> ports = List.of(TestPorts.freeMemberPort(), TestPorts.freeMemberPort(), TestPorts.freeMemberPort());
        List<ClusterConfig.Endpoint> peers = ports.stream().map(p -> new ClusterConfig.Endpoint("127.0.0.1", p)).toList();
        String group = "svc-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Map<String, ClusterService> services = new LinkedHashMap<>();
        int i = 0;
        for (String name : namespaces.keySet()) {
            ClusterConfig config = new ClusterConfig(name, group, "127.0.0.1", ports.get(i++), peers, key,
                    Duration.ZERO, DEV, VIPS, name.equals("c") ? List.of("10.78.0.103/24") : List.of(),
                    Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(100), Set.of());
            ClusterService s = new ClusterService(GroupSettings.of(config), new VipHolder(DEV, VIPS, in(namespaces.get(name))));
            open.add(s);
            s.start();
            services.put(name, s);
        }

        awaitHeldExactlyAsAssigned(services);
        ClusterStatus status = services.get("a").status();
        assertThat(status.coordinator()).isEqualTo("a");
        assertThat(status.assignment()).containsEntry("10.78.0.103/24", "c");
        assertThat(status.members()).extracting(ClusterStatus.Member::endpoint)
                .containsExactly("127.0.0.1:" + ports.get(0), "127.0.0.1:" + ports.get(1), "127.0.0.1:" + ports.get(2));
        assertThat(status.replication()).isEqualTo(ClusterStatus.Replication.NONE);

        ClusterService b = services.remove("b");
        List<String> heldByB = b.status().held();
        assertThat(heldByB).isNotEmpty();
        b.close();
        open.remove(b);
        assertThat(addresses(namespaces.get("b"), DEV)).doesNotContain("10.78.0.");

        awaitHeldExactlyAsAssigned(services);
        assertThat(services.get("a").status().members()).hasSize(2);
    }

    /** Each address on the interface of its assigned member and on no other, the same assignment everywhere. */
    private void awaitHeldExactlyAsAssigned(Map<String, ClusterService> services) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            ClusterStatus first = services.values().iterator().next().status();
            assertThat(first.members()).hasSize(services.size());
            assertThat(first.assignment().keySet()).containsExactlyElementsOf(VIPS);
            for (String vip : VIPS) {
                String owner = first.assignment().get(vip);
                for (Map.Entry<String, String> ns : namespaces.entrySet()) {
                    String listed = addresses(ns.getValue(), DEV);
                    if (ns.getKey().equals(owner)) {
                        assertThat(listed).as(vip + " on " + owner).contains("inet " + vip);
                    } else {
                        assertThat(listed).as(vip + " not on " + ns.getKey()).doesNotContain("inet " + vip);
                    }
                }
            }
            for (ClusterService s : services.values()) {
                ClusterStatus st = s.status();
                assertThat(st.assignment()).isEqualTo(first.assignment());
                List<String> mine = VIPS.stream().filter(v -> s.self().equals(first.assignment().get(v))).toList();
                assertThat(st.held()).isEqualTo(mine);
            }
        });
    }
}
