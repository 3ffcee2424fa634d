package io.switchboard.cluster.replicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.cluster.ClusterMember;
import io.switchboard.cluster.group.ClusterView;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.ClusterConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.persist.PersistenceState;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.PoolRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One replicator without a group: what it broadcasts, and who sends the state to new members. */
class ReplicatorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<byte[]> sent = new CopyOnWriteArrayList<>();
    private final List<Replicator> open = new ArrayList<>();

    @AfterEach
    void close() {
        for (Replicator r : open) r.close();
    }

    private Replicator replicator(String self) {
        PoolConfig pool = new PoolConfig("app", "round-robin", 1.25, 1, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE,
                PassiveHealthConfig.DEFAULT, 0, List.of(new ServerConfig("s1", "127.0.0.1", 9001, 1, AdminState.READY),
                        new ServerConfig("s2", "127.0.0.1", 9002, 1, AdminState.READY)))
                .withPersistence(new PersistenceConfig.Stick(PersistenceConfig.StickOn.parse("client-address"),
                        Duration.ofMinutes(5), 100));
        PoolRegistry registry = new PoolRegistry(Runnable::run, System::nanoTime, InstantSource.fixed(Instant.EPOCH));
        registry.reload(List.of(pool), Origin.FILE);
        PersistenceState persistence = new PersistenceState(new byte[32], Map.<String, String>of()::get);
        persistence.reconcile(List.of(pool));
        Replicator r = new Replicator(self, EnumSet.allOf(ClusterConfig.Shared.class), registry, persistence, sent::add);
        open.add(r);
        persistence.pool("app").table().stick("10.0.0.1", "s2", System.nanoTime());
        registry.apply("app", Origin.API, List.of(new Change.SetAdmin("s1", AdminState.DRAIN, "deploy")));
        await().atMost(WAIT).until(() -> decoded().size() == 2);
        sent.clear();
        return r;
    }

    private List<Update> decoded() throws Exception {
        List<Update> all = new ArrayList<>();
        for (byte[] m : sent) all.addAll(ReplicationCodec.decode(m));
        return all;
    }

    private static ClusterView view(long id, String... members) {
        List<ClusterMember> list = new ArrayList<>();
        for (String m : members) list.add(new ClusterMember(m, 0));
        return new ClusterView(id, 0, list, Map.of());
    }

    @Test
    void theFirstOldMemberSendsTheStateToANewOne() throws Exception {
        Replicator a = replicator("a");
        a.viewChanged(view(1, "a"));
        a.viewChanged(view(2, "a", "b"));
        await().atMost(WAIT).until(() -> decoded().size() == 2);
        assertThat(decoded()).containsExactlyInAnyOrder(
                new Update.Admin("app", "s1", AdminState.DRAIN, "deploy"),
                new Update.Stick("app", "10.0.0.1", "s2"));
    }

    @Test
    void anotherOldMemberOrAViewWithoutNewcomersSendsNothing() throws Exception {
        Replicator b = replicator("b");
        b.viewChanged(view(2, "a", "b"));   // b joins: a is new to b, and b is the first of its own side
        await().atMost(WAIT).until(() -> decoded().size() == 2);
        sent.clear();
        b.viewChanged(view(3, "a", "b", "c")); // c joins: a, the first old member, sends
        b.viewChanged(view(4, "a", "b"));      // c leaves: nobody new
        b.viewChanged(view(5, "b"));           // a leaves
        b.close(); // runs what its thread was given, then stops
        assertThat(sent).isEmpty();
    }

    @Test
    void whenPartitionsMergeTheFirstOldMemberOfEachSideSends() throws Exception {
        Replicator b = replicator("b");
        b.viewChanged(view(2, "b", "c"));
        await().atMost(WAIT).until(() -> decoded().size() == 2);
        sent.clear();
        b.viewChanged(view(3, "a", "b", "c", "d")); // a and d were on the other side: b is its side's first
        await().atMost(WAIT).until(() -> decoded().size() == 2);
        sent.clear();
        Replicator c = replicator("c");
        c.viewChanged(view(2, "b", "c")); // c joined b: both sides of that join sent
        await().atMost(WAIT).until(() -> decoded().size() == 2);
        sent.clear();
        c.viewChanged(view(3, "a", "b", "c", "d")); // b, not c, is the first of their side
        c.close();
        assertThat(sent).isEmpty();
    }
}
