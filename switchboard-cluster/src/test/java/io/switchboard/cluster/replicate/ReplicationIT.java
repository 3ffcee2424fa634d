package io.switchboard.cluster.replicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.cluster.ClusterStatus;
import io.switchboard.cluster.TestPorts;
import io.switchboard.cluster.group.ClusterNode;
import io.switchboard.cluster.group.ClusterView;
import io.switchboard.cluster.group.GroupSettings;
import io.switchboard.cluster.group.TestGroups;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.ClusterConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import io.switchboard.persist.PersistenceState;
import io.switchboard.persist.StickTable;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.PoolRegistry;
import io.switchboard.registry.Transition;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shared state between real cluster nodes on 127.0.0.1, each with its own registry and stick tables. */
class ReplicationIT {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Set<ClusterConfig.Shared> ALL = EnumSet.allOf(ClusterConfig.Shared.class);

    /** One balancer: its group node, registry, persistence and replicator. */
    private record Node(String name, ClusterNode node, PoolRegistry registry, PersistenceState persistence,
                          Replicator replicator) {
        StickTable table() {
            return persistence.pool("app").table();
        }

        Member server(String server) {
            return registry.pool("app").snapshot().backends().member(server);
        }
    }

    private final List<Node> open = new ArrayList<>();
    private List<InetSocketAddress> peers;
    private String group;

    @BeforeEach
    void ports() throws IOException {
        peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) peers.add(new InetSocketAddress(LOOPBACK, TestPorts.freeMemberPort()));
        group = "switchboard-repl-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @AfterEach
    void closeAll() {
        for (Node m : open) {
            m.replicator().close();
            m.node().close();
            m.registry().close();
        }
    }

    @Test
    void aStickOnOneNodeAppearsOnTheOthers() throws Exception {
        Node a = start(0, "a", ALL);
        Node b = start(1, "b", ALL);
        awaitAgreed(a, b);

        a.table().stick("user-1", "s2", System.nanoTime());
        await().atMost(WAIT).until(() -> "s2".equals(b.table().server("user-1", System.nanoTime())));
        // many sticks travel in few messages
        long sentBefore = a.replicator().stats().sent();
        for (int i = 0; i < 500; i++) a.table().stick("u" + i, "s" + (1 + i % 3), System.nanoTime());
        await().atMost(WAIT).until(() -> b.table().server("u499", System.nanoTime()) != null);
        assertThat(b.table().server("u0", System.nanoTime())).isEqualTo("s1");
        assertThat(a.replicator().stats().sent() - sentBefore).isLessThan(50);
        // what b adopted is not sent back: a received nothing
        assertThat(a.replicator().stats().received()).isZero();
    }

    @Test
    void anOperatorsDrainIsAppliedOnThePeerAndNotEchoed() throws Exception {
        Node a = start(0, "a", ALL);
        Node b = start(1, "b", ALL);
        awaitAgreed(a, b);

        a.registry().apply("app", Origin.API, List.of(new Change.SetAdmin("s1", AdminState.DRAIN, "deploy"),
                new Change.SetWeight("s3", 7)));
        await().atMost(WAIT).until(() -> b.server("s1").admin() == AdminState.DRAIN && b.server("s3").weight() == 7);
        Transition t = b.registry().pool("app").history().stream()
                .filter(x -> x.backend().equals("s1") && x.to() == BackendState.DRAIN).findFirst().orElseThrow();
        assertThat(t.origin()).isEqualTo(Origin.PEER);
        await().atMost(WAIT).until(() -> b.replicator().stats().applied() == 2);

        // b's next message overtakes nothing it might have echoed (JGroups keeps each sender's order):
        // when a has it, a has had every message b sent before it
        b.table().stick("marker", "s2", System.nanoTime());
        await().atMost(WAIT).until(() -> a.replicator().stats().applied() == 1);
        assertThat(a.table().server("marker", System.nanoTime())).isEqualTo("s2");
        assertThat(a.replicator().stats().received()).isEqualTo(1);
        assertThat(a.registry().pool("app").history()).noneMatch(x -> x.origin() == Origin.PEER);
    }

    @Test
    void loadReportsAndProbeResultsReachThePeer() throws Exception {
        Node a = start(0, "a", ALL);
        Node b = start(1, "b", ALL);
        awaitAgreed(a, b);

        LoadReport report = new LoadReport(System.nanoTime(), 9, 0.75, 2.0, 4, 2, 1L << 30, 33, 5, 6,
                LoadReport.UNKNOWN, LoadReport.UNKNOWN, AgentState.NONE);
        a.registry().apply("app", Origin.AGENT, List.of(new Change.Agent("s2", report)));
        await().atMost(WAIT).until(() -> b.server("s2").backend().loadReport() != null);
        LoadReport there = b.server("s2").backend().loadReport();
        assertThat(there.sequence()).isEqualTo(9);
        assertThat(there.cpuBusy()).isEqualTo(0.75);
        assertThat(there.tcpConnections()).isEqualTo(33);

        // fall is 3: three failed probes on a take s3 down on b as well
        for (int i = 0; i < 3; i++) a.registry().apply("app", Origin.PROBE, List.of(new Change.Probe("s3", false, "refused")));
        await().atMost(WAIT).until(() -> b.server("s3").state() == BackendState.DOWN);
        assertThat(a.server("s3").state()).isEqualTo(BackendState.DOWN);
    }

    @Test
    void aLateJoinerCatchesUpOnStickEntriesAndOperatorChanges() throws Exception {
        Node a = start(0, "a", ALL);
        Node b = start(1, "b", ALL);
        awaitAgreed(a, b);
        a.table().stick("user-1", "s3", System.nanoTime());
        b.registry().apply("app", Origin.API, List.of(new Change.SetAdmin("s2", AdminState.MAINT, null)));
        await().atMost(WAIT).until(() -> a.server("s2").admin() == AdminState.MAINT
                && b.table().server("user-1", System.nanoTime()) != null);

        Node c = start(2, "c", ALL);
        awaitAgreed(a, b, c);
        await().atMost(WAIT).until(() -> "s3".equals(c.table().server("user-1", System.nanoTime()))
                && c.server("s2").admin() == AdminState.MAINT);
        assertThat(c.server("s1").admin()).isEqualTo(AdminState.READY);
    }

    @Test
    void aMalformedMessageIsDroppedAndCounted() throws Exception {
        Node a = start(0, "a", ALL);
        a.replicator().received("x", new byte[] {9, 9, 9});
        a.replicator().received("x", ReplicationCodec.encode(List.of(new Update.Admin("app", "nope", AdminState.DRAIN, "")))
                .messages().getFirst());
        assertThat(a.replicator().stats()).isEqualTo(new ClusterStatus.Replication(0, 2, 0, 2));
    }

    @Test
    void whatANodeDoesNotShareItNeitherSendsNorApplies() throws Exception {
        Node a = start(0, "a", EnumSet.of(ClusterConfig.Shared.ADMIN));
        Node b = start(1, "b", ALL);
        awaitAgreed(a, b);
        a.table().stick("user-1", "s2", System.nanoTime());
        b.table().stick("user-2", "s2", System.nanoTime());
        a.registry().apply("app", Origin.API, List.of(new Change.SetAdmin("s1", AdminState.DRAIN, null)));
        await().atMost(WAIT).until(() -> b.server("s1").admin() == AdminState.DRAIN);
        await().atMost(WAIT).until(() -> a.replicator().stats().dropped() == 1);
        assertThat(b.table().server("user-1", System.nanoTime())).isNull();
        assertThat(a.table().server("user-2", System.nanoTime())).isNull();
    }

    private Node start(int index, String name, Set<ClusterConfig.Shared> what) throws Exception {
        PoolConfig pool = pool();
        PoolRegistry registry = PoolRegistry.start();
        registry.reload(List.of(pool), Origin.FILE);
        PersistenceState persistence = new PersistenceState(new byte[32], Map.<String, String>of()::get);
        persistence.reconcile(List.of(pool));
        AtomicReference<ClusterNode> node = new AtomicReference<>();
        Replicator replicator = new Replicator(name, what, registry, persistence, bytes -> {
            try {
                node.get().broadcast(bytes);
            } catch (Exception e) {
                throw new IllegalStateException("broadcast failed", e);
            }
        });
        GroupSettings settings = TestGroups.settings(name, group, LOOPBACK, peers.get(index).getPort(), peers, List.of(),
                Duration.ZERO);
        node.set(new ClusterNode(settings, replicator::viewChanged, replicator::received));
        Node m = new Node(name, node.get(), registry, persistence, replicator);
        open.add(m);
        node.get().start();
        return m;
    }

    private static PoolConfig pool() {
        List<ServerConfig> servers = List.of(
                new ServerConfig("s1", "127.0.0.1", 9001, 1, AdminState.READY),
                new ServerConfig("s2", "127.0.0.1", 9002, 1, AdminState.READY),
                new ServerConfig("s3", "127.0.0.1", 9003, 1, AdminState.READY));
        return new PoolConfig("app", "round-robin", 1.25, 1, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE,
                PassiveHealthConfig.DEFAULT, 0, servers).withPersistence(
                        new PersistenceConfig.Stick(PersistenceConfig.StickOn.parse("header:X-User"), Duration.ofMinutes(5), 1000));
    }

    private static void awaitAgreed(Node... members) {
        Set<String> names = new HashSet<>();
        for (Node m : members) names.add(m.name());
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (Node m : members) {
                ClusterView v = m.node().view();
                if (v == null || !new HashSet<>(v.memberIds()).equals(names)) return false;
            }
            return true;
        });
    }
}
