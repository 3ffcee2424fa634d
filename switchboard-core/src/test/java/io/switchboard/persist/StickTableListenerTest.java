package io.switchboard.persist;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.PoolConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the stick tables tell cluster replication, and what they take from peers without telling. */
class StickTableListenerTest {
    private static final long S = 1_000_000_000L;
    private final List<String> told = new ArrayList<>();
    private final StickTable.Listener listener = new StickTable.Listener() {
        @Override
        public void stuck(String key, String server) {
            told.add(key + "->" + server);
        }

        @Override
        public void forgotten(String key) {
            told.add("forget " + key);
        }
    };

    @Test
    void ownSticksAndForgetsAreToldAPeersAreNot() {
        StickTable t = new StickTable(10, 60 * S);
        t.listen(listener);
        t.stick("u1", "s1", 0);
        t.adopt("u2", "s2", 0);
        t.forget("u1");
        t.forgetAdopted("u2");
        t.forget("never-there");
        assertThat(told).containsExactly("u1->s1", "forget u1");
        t.adopt("u3", "s3", S);
        assertThat(t.server("u3", 2 * S)).isEqualTo("s3");
    }

    @Test
    void anEntryInUseIsToldAgainEveryHalfExpirySoPeersKeepIt() {
        StickTable t = new StickTable(10, 60 * S);
        t.listen(listener);
        t.stick("u1", "s1", 0);
        t.track("u1", 10 * S, false);
        t.track("u1", 29 * S, false);
        assertThat(told).containsExactly("u1->s1");
        t.track("u1", 30 * S, false);
        t.track("u1", 31 * S, false);
        assertThat(told).containsExactly("u1->s1", "u1->s1");
        // an adopted entry used here is this node's to keep alive too, after half an expiry
        t.adopt("u2", "s2", 40 * S);
        t.track("u2", 41 * S, false);
        t.track("u2", 70 * S, false);
        assertThat(told).containsExactly("u1->s1", "u1->s1", "u2->s2");
    }

    @Test
    void everyResponseSticksAgainButOnlyANewServerOrAnAgingEntryIsTold() {
        StickTable t = new StickTable(10, 60 * S);
        t.listen(listener);
        t.stick("u1", "s1", 0);
        t.stick("u1", "s1", 1 * S); // the next response from the same server
        t.stick("u1", "s1", 29 * S);
        assertThat(told).containsExactly("u1->s1");
        t.stick("u1", "s2", 30 * S); // moved: told at once
        t.stick("u1", "s2", 59 * S);
        assertThat(told).containsExactly("u1->s1", "u1->s2");
        t.stick("u1", "s2", 60 * S); // half an expiry later: told again, so the peers' copies live on
        assertThat(told).containsExactly("u1->s1", "u1->s2", "u1->s2");
    }

    @Test
    void withoutAListenerNothingIsTold() {
        StickTable t = new StickTable(10, 60 * S);
        t.listen(listener);
        t.listen(null);
        t.stick("u1", "s1", 0);
        t.track("u1", 59 * S, false);
        assertThat(told).isEmpty();
    }

    @Test
    void persistenceStateGivesTheListenerToEveryTableWithThePoolName() {
        PersistenceState state = new PersistenceState(new byte[32], Map.<String, String>of()::get);
        state.reconcile(List.of(pool("app")));
        List<String> heard = new ArrayList<>();
        state.listen(new PersistenceState.StickListener() {
            @Override
            public void stuck(String pool, String key, String server) {
                heard.add(pool + ":" + key + "->" + server);
            }

            @Override
            public void forgotten(String pool, String key) {
                heard.add(pool + ": forget " + key);
            }
        });
        state.pool("app").table().stick("u1", "s1", 0);
        state.reconcile(List.of(pool("app"), pool("api")));
        state.pool("api").table().stick("u2", "s2", 0);
        state.pool("api").table().forget("u2");
        state.listen(null);
        state.pool("app").table().stick("u3", "s1", 0);
        assertThat(heard).containsExactly("app:u1->s1", "api:u2->s2", "api: forget u2");
    }

    private static PoolConfig pool(String name) {
        return new PoolConfig(name, "round-robin", 1.25, 1, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE,
                PassiveHealthConfig.DEFAULT, 0, List.of()).withPersistence(
                        new PersistenceConfig.Stick(PersistenceConfig.StickOn.parse("header:X-User"), Duration.ofMinutes(1), 10));
    }
}
