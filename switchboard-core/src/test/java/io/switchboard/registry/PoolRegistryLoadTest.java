package io.switchboard.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.balance.Chain;
import io.switchboard.balance.LeastLoad;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.dispatch.PoolDispatch;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Reloads of the load-reading algorithms' settings, and the data plane's cost count, in PoolRegistryTest's style. */
class PoolRegistryLoadTest {
    static final long SECOND = 1_000_000_000L;
    final List<Runnable> writerQueue = new ArrayList<>();
    final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    final PoolRegistry registry = new PoolRegistry(writerQueue::add, clock::get, InstantSource.fixed(Instant.parse("2026-11-22T12:00:00Z")));

    static PoolConfig pool(String algorithm) {
        return new PoolConfig("web", algorithm, 1.25, 2, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(60), 64,
                Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE, PassiveHealthConfig.DEFAULT,
                0, List.of(new ServerConfig("a", "10.0.0.1", 8080, 1, AdminState.READY),
                        new ServerConfig("b", "10.0.0.2", 8080, 1, AdminState.READY)));
    }

    @Test
    void aReloadWithANewCandidacyOrReportMaxAgeMakesANewAlgorithm() {
        PoolConfig chain = pool("chain");
        registry.reload(List.of(chain), Origin.FILE);
        Pool web = registry.pool("web");
        assertThat(registry.reload(List.of(chain.withLoadBalancing(null, List.of())), Origin.FILE).reconfigured()).isEmpty();
        registry.reload(List.of(chain.withLoadBalancing(null, List.of("by-random", "by-cost"))), Origin.FILE);
        assertThat(web.algorithm()).hasToString("chain [by-random, by-cost]");

        registry.reload(List.of(pool("least-load").withLoadBalancing(Duration.ofSeconds(7), null)), Origin.FILE);
        assertThat(((LeastLoad) web.algorithm()).reportMaxAge()).isEqualTo(Duration.ofSeconds(7));
        assertThat(registry.reload(List.of(pool("least-load").withLoadBalancing(Duration.ofSeconds(9), null)), Origin.FILE)
                .reconfigured()).containsExactly("web");
        assertThat(Pool.algorithmOf(pool("chain"))).isInstanceOf(Chain.class);
    }

    @Test
    void theDataPlaneCountsCostOnlyForAlgorithmsThatReadLoad() {
        registry.reload(List.of(pool("least-load")), Origin.FILE);
        PoolDispatch loadReading = new PoolDispatch(registry.pool("web"));
        loadReading.charge(registry.pool("web").backend("a"), 10);
        assertThat(registry.pool("web").backend("a").costSinceReport()).isEqualTo(10);

        registry.reload(List.of(pool("p2c")), Origin.FILE);
        loadReading.charge(registry.pool("web").backend("a"), 10);
        assertThat(registry.pool("web").backend("a").costSinceReport()).as("p2c does not read it").isEqualTo(10);
    }
}
