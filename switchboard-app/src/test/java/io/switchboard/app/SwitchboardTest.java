package io.switchboard.app;

import static io.switchboard.app.ConfigLogTest.BASE;
import static io.switchboard.app.ConfigLogTest.config;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.PoolConfig;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolRegistry;
import org.junit.jupiter.api.Test;

/** The wiring's pure parts: what a reload may change in place. No sockets; how it is described is {@link ConfigLogTest}'s. */
class SwitchboardTest {
    @Test
    void onlyAlgorithmAndSettingsForceARebuild() throws Exception {
        PoolConfig base = config(BASE).pools().get("app");
        assertThat(PoolRegistry.sameShape(base, config(BASE + "    retries: 5\n    health: {type: http}\n").pools().get("app")))
                .as("turning active health on changes the pool's settings").isFalse();
        assertThat(PoolRegistry.sameShape(base, config(BASE + "    retries: 5\n    max-body: 1m\n").pools().get("app")))
                .as("retries and limits are read per request from the config").isTrue();
        assertThat(PoolRegistry.sameShape(base, config(BASE + "    algorithm: p2c\n").pools().get("app"))).isFalse();
        assertThat(PoolRegistry.sameShape(base, config(BASE + "    slow-start: 10s\n").pools().get("app"))).isFalse();
        PoolConfig hash = config(BASE + "    algorithm: uri-hash\n").pools().get("app");
        assertThat(PoolRegistry.sameShape(hash, config(BASE + "    algorithm: uri-hash\n    hash-load-factor: 2\n").pools().get("app")))
                .isFalse();
    }

    @Test
    void poolFactoryBuildsWhatTheConfigSays() throws Exception {
        PoolConfig pc = config(BASE + """
                    algorithm: source-hash
                    hash-load-factor: 1.5
                    slow-start: 10s
                    when-all-down: ignore-health
                    health: {type: tcp, rise: 4, fall: 5}
                    passive: {consecutive-failures: 0}
                """).pools().get("app");
        Pool pool = Pool.of(pc);
        assertThat(pool.name()).isEqualTo("app");
        assertThat(pool.algorithm().name()).isEqualTo("source-hash");
        Pool.Settings s = pool.settings();
        assertThat(s.slowStartNanos()).isEqualTo(10_000_000_000L);
        assertThat(s.allDown()).isEqualTo(io.switchboard.config.AllDownPolicy.IGNORE_HEALTH);
        assertThat(s.health()).isEqualTo(new io.switchboard.health.HealthPolicy(4, 5));
        assertThat(s.activeHealth()).isTrue();
        assertThat(s.outliers().enabled()).isFalse();
        assertThat(pool.snapshot().backends().members()).extracting(m -> m.backend().name()).containsExactly("a", "b");
    }
}
