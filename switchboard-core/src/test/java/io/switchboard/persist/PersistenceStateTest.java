package io.switchboard.persist;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.PoolConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PersistenceStateTest {
    private static final long S = 1_000_000_000L;

    private static PoolConfig pool(String name, PersistenceConfig p) {
        return new PoolConfig(name, "round-robin", 1.25, 1, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE,
                PassiveHealthConfig.DEFAULT, 0, List.of()).withPersistence(p);
    }

    private static PersistenceConfig stick(String on, int size) {
        return new PersistenceConfig.Stick(PersistenceConfig.StickOn.parse(on), Duration.ofMinutes(1), size);
    }

    @Test
    void aReloadKeepsTheTableResizedAndARemovedPoolLosesIt() {
        PersistenceState state = new PersistenceState(new byte[32], Map.<String, String>of()::get);
        state.reconcile(List.of(pool("app", stick("header:X-User", 10)), pool("other", stick("client-address", 10))));
        StickTable t = state.pool("app").table();
        for (int i = 0; i < 10; i++) t.stick("u" + i, "s1", i);
        state.reconcile(List.of(pool("app", stick("header:X-User", 5))));
        assertThat(state.pool("app").table()).isSameAs(t);
        assertThat(t.size()).isEqualTo(5);
        assertThat(t.capacity()).isEqualTo(5);
        assertThat(state.pool("other")).isNull();
        // another key: the old keys mean nothing
        state.reconcile(List.of(pool("app", stick("header:X-Other", 5))));
        assertThat(state.pool("app").table()).isNotSameAs(t);
        state.reconcile(List.of(pool("app", null)));
        assertThat(state.pool("app")).isNull();
    }

    @Test
    void theCookieKeyComesFromTheEnvironmentOrTheProcess() {
        PersistenceConfig.Cookie withEnv = new PersistenceConfig.Cookie("SRV", null, null, false, true, "lax", "SB_KEY");
        PersistenceConfig.Cookie without = new PersistenceConfig.Cookie("SRV", null, null, false, true, null, null);
        PersistenceState a = new PersistenceState(new byte[32], Map.of("SB_KEY", "shared")::get);
        byte[] other = new byte[32];
        other[0] = 1;
        PersistenceState b = new PersistenceState(other, Map.of("SB_KEY", "shared")::get);
        a.reconcile(List.of(pool("app", withEnv)));
        b.reconcile(List.of(pool("app", withEnv)));
        String v = a.pool("app").cookie().encode("s1", 100, 100);
        assertThat(b.pool("app").cookie().decode(v, 100, 0, 0).ok()).isTrue();
        a.reconcile(List.of(pool("app", without)));
        b.reconcile(List.of(pool("app", without)));
        String w = a.pool("app").cookie().encode("s1", 100, 100);
        assertThat(b.pool("app").cookie().decode(w, 100, 0, 0).rejection()).isEqualTo(ServerCookie.Rejection.BAD_MAC);
        a.reconcile(List.of(pool("app", without)));
        assertThat(a.pool("app").cookie().decode(w, 100, 0, 0).ok()).as("the process key outlives a reload").isTrue();
    }

    @Test
    void rejectionsAreCountedAcrossReloads() {
        PersistenceState s = new PersistenceState(new byte[32], Map.<String, String>of()::get);
        PersistenceConfig.Cookie c = new PersistenceConfig.Cookie("SRV", null, null, false, false, null, null);
        s.reconcile(List.of(pool("app", c)));
        s.pool("app").rejected(ServerCookie.Rejection.BAD_MAC);
        s.reconcile(List.of(pool("app", c)));
        assertThat(s.pool("app").rejections()).containsEntry(ServerCookie.Rejection.BAD_MAC, 1L);
    }
}
