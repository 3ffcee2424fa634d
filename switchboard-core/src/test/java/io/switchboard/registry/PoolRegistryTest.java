package io.switchboard.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendState;
import io.switchboard.balance.Lard;
import io.switchboard.balance.LardR;
import io.switchboard.balance.PickContext;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The registry: reloads in place, numbered events, origins, the writer queue, the tick. No sockets, no threads: a fake clock and a writer queue the test drains. */
class PoolRegistryTest {
    static final long SECOND = 1_000_000_000L;

    final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    final Deque<Runnable> writerQueue = new ArrayDeque<>();
    final PoolRegistry registry = new PoolRegistry(writerQueue::add, clock::get, InstantSource.fixed(Instant.parse("2026-11-22T12:00:00Z")));
    final List<RegistryEvent> events = new ArrayList<>();

    static ServerConfig server(String name, int weight) {
        return new ServerConfig(name, "10.0.0." + (name.charAt(0) - 'a' + 1), 8080, weight, AdminState.READY);
    }

    static PoolConfig pool(String name, String algorithm, Duration slowStart, int maxEjectionPercent, ServerConfig... servers) {
        return new PoolConfig(name, algorithm, 1.25, 2, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(60), 64,
                slowStart, AllDownPolicy.FAIL, HealthCheckConfig.NONE,
                new PassiveHealthConfig(3, true, Duration.ofSeconds(10), Duration.ofSeconds(60), maxEjectionPercent), 0,
                Arrays.asList(servers));
    }

    static PoolConfig pool(String name, ServerConfig... servers) {
        return pool(name, "round-robin", Duration.ZERO, 100, servers);
    }

    int drain() {
        int n = 0;
        for (Runnable r; n < 1000 && (r = writerQueue.poll()) != null; n++) r.run();
        return n;
    }

    @Test
    void aReloadKeepsPoolsBackendsAndTheirCounters() {
        registry.reload(List.of(pool("web", server("a", 1), server("b", 1))), Origin.FILE);
        Pool web = registry.pool("web");
        Backend a = web.backend("a");
        a.onDispatch();

        PoolRegistry.Reload r = registry.reload(List.of(pool("web", "least-conn", Duration.ZERO, 100, server("a", 5), server("c", 1)),
                pool("api", server("x", 1))), Origin.FILE);

        assertThat(r).isEqualTo(new PoolRegistry.Reload(List.of("api"), List.of(), List.of("web")));
        assertThat(registry.pool("web")).isSameAs(web);
        assertThat(web.backend("a")).isSameAs(a);
        assertThat(a.inFlight()).isEqualTo(1);
        assertThat(web.algorithm().name()).isEqualTo("least-conn");
        assertThat(web.snapshot().backends().member("a").weight()).isEqualTo(5);
        assertThat(web.backend("b")).isNull();
        assertThat(registry.pools().keySet()).containsExactly("web", "api");

        r = registry.reload(List.of(pool("api", server("x", 1))), Origin.FILE);
        assertThat(r.removed()).containsExactly("web");
        assertThat(registry.pools().keySet()).containsExactly("api");
    }

    @Test
    void everyPublishedSnapshotIsOneNumberedEventWithItsOrigin() {
        registry.subscribe(events::add);
        registry.reload(List.of(pool("web", server("a", 1), server("b", 1)), pool("empty")), Origin.FILE);
        Pool web = registry.pool("web");
        web.apply(Origin.AGENT, new Change.SetWeight("a", 4));
        registry.apply("web", Origin.PEER, List.of(new Change.SetAdmin("b", AdminState.DRAIN, "peer: drain")));
        registry.reload(List.of(pool("web", server("a", 4), server("b", 1))), Origin.FILE);

        assertThat(events).extracting(RegistryEvent::version).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(events).extracting(RegistryEvent::kind).containsExactly(RegistryEvent.Kind.ADDED, RegistryEvent.Kind.ADDED,
                RegistryEvent.Kind.CHANGED, RegistryEvent.Kind.CHANGED, RegistryEvent.Kind.CHANGED, RegistryEvent.Kind.REMOVED);
        assertThat(events).extracting(RegistryEvent::origin).containsExactly(Origin.FILE, Origin.FILE, Origin.AGENT, Origin.PEER,
                Origin.FILE, Origin.FILE);
        assertThat(events).extracting(RegistryEvent::poolName).containsExactly("web", "empty", "web", "web", "web", "empty");
        assertThat(events.get(0).transitions()).extracting(Transition::toString)
                .containsExactly("web/a new -> up (configured)", "web/b new -> up (configured)");
        assertThat(events.get(4).snapshot()).isSameAs(registry.pool("web").snapshot());
        assertThat(events.get(4).transitions()).extracting(Transition::toString).containsExactly("web/b drain -> up (reload: ready)");
        assertThat(registry.version()).isEqualTo(6);
        assertThat(registry.history()).extracting(Transition::origin).contains(Origin.AGENT, Origin.PEER);
    }

    @Test
    void aReplicatingSubscriberIgnoresPeerEventsSoNothingEchoes() {
        List<RegistryEvent> replicated = new ArrayList<>();
        registry.subscribe(e -> {
            if (e.origin() != Origin.PEER) replicated.add(e);
        });
        registry.reload(List.of(pool("web", server("a", 1))), Origin.FILE);
        registry.apply("web", Origin.PEER, List.of(new Change.SetWeight("a", 9)));
        registry.apply("web", Origin.API, List.of(new Change.SetWeight("a", 3)));
        assertThat(replicated).extracting(RegistryEvent::origin).containsExactly(Origin.FILE, Origin.API);
    }

    @Test
    void noOpChangesEmitNoEvent() {
        registry.reload(List.of(pool("web", server("a", 2), server("b", 1))), Origin.FILE);
        long v = registry.subscribe(events::add);
        registry.apply("web", Origin.API, List.of(new Change.SetWeight("a", 2)));
        registry.apply("web", Origin.PROBE, List.of(new Change.Probe("a", true, "HTTP 200")));
        registry.apply("web", Origin.PROBE, List.of(new Change.Probe("b", false, "timeout")));
        registry.reload(List.of(pool("web", server("a", 2), server("b", 1))), Origin.FILE);
        registry.tick();
        assertThat(events).isEmpty();
        assertThat(registry.version()).isEqualTo(v);
    }

    @Test
    void submitReturnsAtOnceAndTheWriterAppliesInOrder() {
        registry.reload(List.of(pool("web", server("a", 1), server("b", 1))), Origin.FILE);
        registry.subscribe(events::add);
        Pool web = registry.pool("web");
        Pool.Snapshot before = web.snapshot();

        web.submit(Origin.PASSIVE, new Change.PassiveFailure("a", 3, "HTTP 502"));
        registry.submit("web", Origin.PROBE, new Change.Probe("b", false, "timeout"));
        registry.submit("web", Origin.API, new Change.SetAdmin("b", AdminState.DRAIN, null));

        assertThat(web.snapshot()).as("nothing applied on the submitting thread").isSameAs(before);
        assertThat(writerQueue).hasSize(3);
        assertThat(drain()).isEqualTo(3);
        assertThat(web.snapshot().backends().member("a").state()).isEqualTo(BackendState.DOWN);
        assertThat(web.snapshot().backends().member("b").state()).isEqualTo(BackendState.DRAIN);
        assertThat(events).extracting(RegistryEvent::origin).containsExactly(Origin.PASSIVE, Origin.API);
    }

    @Test
    void aSubmittedChangeForABackendOrPoolThatLeftIsDropped() {
        registry.reload(List.of(pool("web", server("a", 1), server("b", 1))), Origin.FILE);
        Pool web = registry.pool("web");
        web.submit(Origin.PASSIVE, new Change.PassiveFailure("b", 3, "reset"));
        registry.submit("web", Origin.PASSIVE, new Change.PassiveFailure("a", 3, "reset"));
        registry.reload(List.of(pool("web", server("a", 1))), Origin.FILE);
        registry.submit("gone", Origin.PROBE, new Change.Probe("a", false, "x"));
        assertThat(drain()).isEqualTo(3);
        assertThat(web.snapshot().backends().member("a").state()).isEqualTo(BackendState.DOWN);

        registry.reload(List.of(pool("other", server("a", 1))), Origin.FILE);
        web.submit(Origin.PASSIVE, new Change.PassiveFailure("a", 9, "reset"));
        long v = registry.version();
        drain();
        assertThat(registry.version()).as("a removed pool announces nothing").isEqualTo(v);
    }

    @Test
    void theTickAdvancesSlowStartOfServersAddedAtRunTime() {
        registry.reload(List.of(pool("web", "round-robin", Duration.ofSeconds(10), 100, server("a", 100))), Origin.FILE);
        registry.subscribe(events::add);
        registry.reload(List.of(pool("web", "round-robin", Duration.ofSeconds(10), 100, server("a", 100), server("b", 100))), Origin.FILE);
        Pool web = registry.pool("web");
        assertThat(web.snapshot().backends().member("b").effectiveWeight()).isEqualTo(1);
        clock.addAndGet(5 * SECOND);
        registry.tick();
        assertThat(web.snapshot().backends().member("b").effectiveWeight()).isEqualTo(50);
        clock.addAndGet(5 * SECOND);
        registry.tick();
        registry.tick();
        assertThat(web.snapshot().backends().member("b").effectiveWeight()).isEqualTo(100);
        assertThat(events).extracting(RegistryEvent::origin).containsExactly(Origin.FILE, Origin.CLOCK, Origin.CLOCK);
    }

    @Test
    void aReloadWithTheMaxEjectionPercentChangesTheLimit() {
        ServerConfig[] servers = {server("a", 1), server("b", 1), server("c", 1), server("d", 1)};
        registry.reload(List.of(pool("web", "round-robin", Duration.ZERO, 10, servers)), Origin.FILE);
        Pool web = registry.pool("web");
        web.apply(Origin.PASSIVE, new Change.PassiveFailure("a", 3, "reset"));
        web.apply(Origin.PASSIVE, new Change.PassiveFailure("b", 3, "reset"));
        assertThat(web.snapshot().backends().member("b").state()).isEqualTo(BackendState.UP);
        registry.reload(List.of(pool("web", "round-robin", Duration.ZERO, 50, servers)), Origin.FILE);
        web.apply(Origin.PASSIVE, new Change.PassiveFailure("b", 4, "reset"));
        web.apply(Origin.PASSIVE, new Change.PassiveFailure("c", 4, "reset"));
        assertThat(web.snapshot().backends().members()).extracting(m -> m.state()).containsExactly(
                BackendState.DOWN, BackendState.DOWN, BackendState.UP, BackendState.UP);
    }

    @Test
    void aReloadWithNewLardThresholdsUsesThemAndKeepsTheTargetsOnTheirBackEnds() {
        PoolConfig before = pool("web", "lard", Duration.ZERO, 100, server("a", 1), server("b", 1));
        registry.reload(List.of(before), Origin.FILE);
        Pool web = registry.pool("web");
        assertThat(((Lard) web.algorithm()).high()).isEqualTo(65);
        PickContext target = new PickContext(42, clock.get(), new SplittableRandom(1), Set.of());
        Backend owner = web.snapshot().picker().pick(target);
        Backend other = owner == web.backend("a") ? web.backend("b") : web.backend("a");
        owner.onDispatch(); // now a fresh table would send the target to the other back end

        PoolRegistry.Reload r = registry.reload(List.of(before.withLard(2, 4, null)), Origin.FILE);

        assertThat(r.reconfigured()).containsExactly("web");
        Lard lard = (Lard) web.algorithm();
        assertThat(lard.low()).isEqualTo(2);
        assertThat(lard.high()).isEqualTo(4);
        assertThat(web.snapshot().picker().pick(target)).as("the target table is carried").isSameAs(owner);
        for (int i = 0; i < 4; i++) owner.onDispatch(); // 5 in flight: over the new T_high while the other is idle
        assertThat(web.snapshot().picker().pick(target)).as("the new thresholds decide").isSameAs(other);
    }

    @Test
    void aReloadWithANewShrinkTimeMakesANewLardR() {
        PoolConfig before = pool("web", "lard-r", Duration.ZERO, 100, server("a", 1));
        registry.reload(List.of(before), Origin.FILE);
        Pool web = registry.pool("web");
        assertThat(registry.reload(List.of(before.withLard(25, 65, Duration.ofSeconds(20))), Origin.FILE).reconfigured()).isEmpty();

        registry.reload(List.of(before.withLard(25, 65, Duration.ofMinutes(2))), Origin.FILE);

        assertThat(((LardR) web.algorithm()).shrinkAfter()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void anUnknownPoolIsNamedWithThoseThatExist() {
        registry.reload(List.of(pool("web"), pool("api")), Origin.FILE);
        assertThatThrownBy(() -> registry.apply("wbe", Origin.API, List.of(new Change.Tick())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no pool named 'wbe' (has: web, api)");
    }

    @Test
    void aNewPoolWhoseServersRepeatANameIsNotAdded() {
        registry.reload(List.of(pool("web", server("a", 1))), Origin.FILE);
        assertThatThrownBy(() -> registry.reload(List.of(pool("web", server("a", 1)), pool("api", server("x", 1), server("x", 2))),
                Origin.FILE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("server name 'x' appears twice");
        assertThat(registry.pools().keySet()).containsExactly("web");
    }
}
