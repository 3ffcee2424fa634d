package io.switchboard.cluster.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.cluster.TestPorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three real JGroups nodes on 127.0.0.1 forming one group. */
class ClusterNodeIT {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final List<String> VIPS = List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<ClusterNode> open = new ArrayList<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private List<InetSocketAddress> peers;
    private String group;
    private Set<String> threadsBefore;

    @BeforeEach
    void ports() throws IOException {
        peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(new InetSocketAddress(LOOPBACK, TestPorts.freeMemberPort()));
        }
        group = "switchboard-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @BeforeEach
    void threadsBefore() {
        threadsBefore = liveThreads();
    }

    @AfterEach
    void closeAllAndCheckNothingLeft() {
        for (ClusterNode node : open) {
            node.close();
        }
        // Closed means closed: every thread the nodes started ends, every port can be bound again.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Set<String> left = liveThreads();
            left.removeAll(threadsBefore);
            left.removeIf(ClusterNodeIT::sharedByTheJvm);
            assertThat(left).as("threads left behind by the cluster nodes").isEmpty();
        });
        for (InetSocketAddress peer : peers) {
            for (int port : new int[] {peer.getPort(), peer.getPort() + 100}) {
                await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                    try (ServerSocket s = new ServerSocket()) {
                        s.setReuseAddress(true);
                        s.bind(new InetSocketAddress(LOOPBACK, port));
                        return true;
                    }
                });
            }
        }
    }

    /**
     * Threads that are not the nodes' own: Awaitility's poller, and the JDK's virtual-thread
     * scheduler (JGroups runs its handlers on virtual threads; their carriers idle in the JDK's pool),
     * and the JDK's process reapers (other tests in this JVM run commands).
     */
    private static boolean sharedByTheJvm(String idAndName) {
        String name = idAndName.substring(idAndName.indexOf(':') + 1);
        return name.startsWith("awaitility")
                || name.startsWith("ForkJoinPool-")
                || name.equals("VirtualThread-unblocker")
                || name.equals("MasterPoller")
                || name.equals("process reaper");
    }

    private static Set<String> liveThreads() {
        Set<String> names = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                names.add(t.threadId() + ":" + t.getName());
            }
        }
        return names;
    }

    @Test
    void threeNodesAgreeOnMembersAndAssignment() throws Exception {
        ClusterNode a = start(0, "a");
        ClusterNode b = start(1, "b");
        ClusterNode c = start(2, "c");
        awaitAgreed(List.of(a, b, c));

        ClusterView view = a.view();
        assertThat(view.memberIds()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(view.coordinator()).isEqualTo("a");
        assertHeldOnceAndBalanced(view.assignment(), Set.of("a", "b", "c"));
        for (ClusterNode n : List.of(b, c)) {
            assertThat(n.view().members()).isEqualTo(view.members());
            assertThat(n.view().assignment()).isEqualTo(view.assignment());
        }
    }

    @Test
    void aClosedNodeIsDroppedAndItsAddressesReassigned() throws Exception {
        ClusterNode a = start(0, "a");
        ClusterNode b = start(1, "b");
        ClusterNode c = start(2, "c");
        awaitAgreed(List.of(a, b, c));
        long joinedB = b.view().members().get(1).joinedAtMillis();

        c.close();
        open.remove(c);
        awaitAgreed(List.of(a, b));

        ClusterView view = a.view();
        assertThat(view.memberIds()).containsExactly("a", "b");
        assertThat(view.members().get(1).joinedAtMillis()).isEqualTo(joinedB);
        assertHeldOnceAndBalanced(view.assignment(), Set.of("a", "b"));
        assertThat(b.view().assignment()).isEqualTo(view.assignment());
    }

    @Test
    void theCoordinatorLeavingKeepsTheOthersJoinTimes() throws Exception {
        ClusterNode a = start(0, "a");
        ClusterNode b = start(1, "b");
        ClusterNode c = start(2, "c");
        awaitAgreed(List.of(a, b, c));
        ClusterView before = b.view();

        a.close();
        open.remove(a);
        awaitAgreed(List.of(b, c));

        ClusterView view = b.view();
        assertThat(view.memberIds()).containsExactly("b", "c");
        assertThat(view.members()).containsExactlyElementsOf(before.members().subList(1, 3));
        assertHeldOnceAndBalanced(view.assignment(), Set.of("b", "c"));
        assertThat(c.view().assignment()).isEqualTo(view.assignment());
    }

    @Test
    void aNodeRejoins() throws Exception {
        ClusterNode a = start(0, "a");
        ClusterNode b = start(1, "b");
        ClusterNode c = start(2, "c");
        awaitAgreed(List.of(a, b, c));
        c.close();
        open.remove(c);
        awaitAgreed(List.of(a, b));

        ClusterNode again = start(2, "c");
        awaitAgreed(List.of(a, b, again));

        assertThat(again.view().memberIds()).containsExactly("a", "b", "c");
        assertHeldOnceAndBalanced(again.view().assignment(), Set.of("a", "b", "c"));
        assertThat(a.view().assignment()).isEqualTo(again.view().assignment());
    }

    @Test
    void aYoungMemberTakesAddressesOnceMature() throws Exception {
        Duration maturity = Duration.ofSeconds(2);
        ClusterNode a = start(0, "a", maturity);
        await().atMost(WAIT).until(() -> a.view() != null);
        ClusterNode b = start(1, "b", maturity);
        awaitAgreed(List.of(a, b));
        // b joined within the maturity period of a (both young: only the earliest, a, is eligible),
        // or a is mature and b is not; either way b holds nothing until it matures.
        assertThat(b.view().assignment().values()).containsOnly("a");

        await().atMost(WAIT).until(() -> b.view().assignment().containsValue("b")
                && a.view().assignment().equals(b.view().assignment()));
        assertHeldOnceAndBalanced(b.view().assignment(), Set.of("a", "b"));
    }

    @Test
    void aBroadcastReachesTheOthersAndNotTheSender() throws Exception {
        ClusterNode a = start(0, "a");
        ClusterNode b = start(1, "b");
        ClusterNode c = start(2, "c");
        awaitAgreed(List.of(a, b, c));

        b.broadcast("drain web1".getBytes(StandardCharsets.UTF_8));
        await().atMost(WAIT).until(() -> received.size() >= 2);
        // A message to oneself would have arrived before the others' (loopback, same JVM);
        // a second broadcast, seen by all, makes sure nothing more of the first is on its way.
        a.broadcast("marker".getBytes(StandardCharsets.UTF_8));
        await().atMost(WAIT).until(() -> received.size() >= 4);

        assertThat(received).containsExactlyInAnyOrder(
                "a<-b:drain web1", "c<-b:drain web1", "b<-a:marker", "c<-a:marker");
    }

    @Test
    void aNodeWithAnotherKeyNeverJoins() throws Exception {
        ClusterNode a = start(0, "a");
        await().atMost(WAIT).until(() -> a.view() != null);
        SecretKey otherKey = GroupSettings.deriveKey("another secret, another group".getBytes(StandardCharsets.UTF_8));
        ClusterNode intruder = start(settings(1, "x", Duration.ZERO).withKey(otherKey));
        ClusterNode c = start(2, "c");
        awaitAgreed(List.of(a, c));

        // MERGE3 looks for other partitions every 1-3 s: give it several rounds to (wrongly) merge.
        await().during(Duration.ofSeconds(5)).atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() ->
                intruder.view() != null && intruder.view().memberIds().equals(List.of("x"))
                        && a.view().memberIds().equals(List.of("a", "c")));
        intruder.broadcast("drain web1".getBytes(StandardCharsets.UTF_8));
        a.broadcast("marker".getBytes(StandardCharsets.UTF_8));
        await().atMost(WAIT).until(() -> received.contains("c<-a:marker"));
        assertThat(received).containsExactly("c<-a:marker");
    }

    @Test
    void preferencesAreHonouredOnEveryMember() throws Exception {
        ClusterNode a = start(settings(0, "a", Duration.ZERO));
        ClusterNode b = start(settings(1, "b", Duration.ZERO).withPrefer(List.of("10.0.0.4")));
        ClusterNode c = start(settings(2, "c", Duration.ZERO).withPrefer(List.of("10.0.0.2", "10.0.0.1")));
        awaitAgreed(List.of(a, b, c));

        ClusterView view = a.view();
        assertThat(view.members().get(2).preferredVips()).containsExactly("10.0.0.2", "10.0.0.1");
        assertThat(view.assignment()).containsEntry("10.0.0.1", "c").containsEntry("10.0.0.2", "c")
                .containsEntry("10.0.0.4", "b");
        assertHeldOnceAndBalanced(view.assignment(), Set.of("a", "b", "c"));
        for (ClusterNode n : List.of(b, c)) {
            assertThat(n.view()).isEqualTo(view);
        }
        assertThat(a.endpoint("c")).isEqualTo("127.0.0.1:" + peers.get(2).getPort());
    }

    private ClusterNode start(int index, String name) throws Exception {
        return start(index, name, Duration.ZERO);
    }

    private GroupSettings settings(int index, String name, Duration maturity) {
        return TestGroups.settings(name, group, LOOPBACK, peers.get(index).getPort(), peers, VIPS, maturity);
    }

    private ClusterNode start(int index, String name, Duration maturity) throws Exception {
        return start(settings(index, name, maturity));
    }

    private ClusterNode start(GroupSettings settings) throws Exception {
        String name = settings.nodeName();
        ClusterNode node = new ClusterNode(
                settings,
                view -> {},
                (from, payload) -> received.add(name + "<-" + from + ":" + new String(payload, StandardCharsets.UTF_8)));
        open.add(node);
        node.start();
        return node;
    }

    private static void awaitAgreed(List<ClusterNode> nodes) {
        Set<String> names = new HashSet<>();
        for (ClusterNode n : nodes) {
            names.add(n.name());
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            ClusterView first = nodes.getFirst().view();
            if (first == null || !new HashSet<>(first.memberIds()).equals(names) || first.memberIds().size() != names.size()) {
                return false;
            }
            for (ClusterNode n : nodes) {
                ClusterView v = n.view();
                if (v == null || v.viewId() != first.viewId() || !v.equals(first)) {
                    return false;
                }
            }
            return true;
        });
    }

    private static void assertHeldOnceAndBalanced(Map<String, String> assignment, Set<String> members) {
        assertThat(assignment.keySet()).containsExactlyElementsOf(VIPS);
        assertThat(members).containsAll(assignment.values());
        List<Long> counts = members.stream()
                .map(m -> assignment.values().stream().filter(m::equals).count())
                .toList();
        long min = counts.stream().mapToLong(Long::longValue).min().orElseThrow();
        long max = counts.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(1);
    }
}
