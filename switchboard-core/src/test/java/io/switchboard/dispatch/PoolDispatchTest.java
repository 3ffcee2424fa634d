package io.switchboard.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendState;
import io.switchboard.registry.Change;
import io.switchboard.registry.Pool;
import io.switchboard.balance.Algorithms;
import io.switchboard.balance.PickContext;
import io.switchboard.config.ServerConfig;
import io.switchboard.health.HealthPolicy;
import io.switchboard.health.OutlierDetector;
import io.switchboard.load.PeakEwma;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PoolDispatchTest {
    static final long SECOND = 1_000_000_000L;
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final SplittableRandom random = new SplittableRandom(7);

    private Pool pool(String algorithm, int maxConnections) {
        Pool p = new Pool("web", Algorithms.byName(algorithm),
                new Pool.Settings(0, AllDownPolicy.FAIL, new HealthPolicy(2, 3), false,
                        new OutlierDetector(3, 10 * SECOND, 80 * SECOND)),
                clock::get, InstantSource.fixed(Instant.EPOCH));
        p.apply(new Change.Add(new ServerConfig("a", "10.0.0.1", 80, 1, AdminState.READY, maxConnections)));
        p.apply(new Change.Add(new ServerConfig("b", "10.0.0.2", 80, 1, AdminState.READY, maxConnections)));
        return p;
    }

    private PickContext ctx() {
        return new PickContext(0, clock.get(), random, null);
    }

    @Test
    void reserveSkipsFullBackEndsAndSaysWhenAllAreBusy() {
        PoolDispatch d = new PoolDispatch(pool("round-robin", 1));
        Backend first = d.reserve(ctx());
        Backend second = d.reserve(ctx());
        assertThat(first).isNotNull();
        assertThat(second).isNotNull().isNotSameAs(first);
        assertThat(d.reserve(ctx())).isNull();
        assertThat(d.busy(ctx())).as("eligible but full: the request may wait").isTrue();
        assertThat(d.roomNow(ctx())).isFalse();
        d.complete(first, Outcome.OK, 1000, 0, 0, clock.get(), "");
        assertThat(d.roomNow(ctx())).isTrue();
        assertThat(d.reserve(ctx())).isSameAs(first);
    }

    @Test
    void aTaggedClassOnlyReachesBackEndsCarryingAllItsTags() {
        Pool p = pool("round-robin", 0);
        p.apply(new Change.Add(new ServerConfig("c", "10.0.0.3", 80, 1, AdminState.READY, 0, Set.of("cgi", "big"))));
        p.apply(new Change.Add(new ServerConfig("d", "10.0.0.4", 80, 1, AdminState.READY, 0, Set.of("cgi"))));
        PoolDispatch d = new PoolDispatch(p);
        for (int i = 0; i < 8; i++) {
            assertThat(d.reserve(d.forClass(ctx(), Set.of("cgi"))).name()).isIn("c", "d");
            assertThat(d.reserve(d.forClass(ctx(), Set.of("cgi", "big"))).name()).isEqualTo("c");
        }
        assertThat(d.forClass(ctx(), Set.of("gpu")).exclude()).hasSize(4);
        assertThat(d.reserve(d.forClass(ctx(), Set.of("gpu")))).as("nobody carries gpu").isNull();
        assertThat(d.busy(d.forClass(ctx(), Set.of("gpu")))).as("none eligible: 503 at once, no wait").isFalse();
        PickContext plain = ctx();
        assertThat(d.forClass(plain, Set.of())).isSameAs(plain);
    }

    @Test
    void aReloadThatChangesTagsIsSeenByTheNextPick() {
        Pool p = pool("round-robin", 0);
        PoolDispatch d = new PoolDispatch(p);
        assertThat(d.reserve(d.forClass(ctx(), Set.of("cgi")))).isNull();
        p.apply(new Change.Reconcile(List.of(
                new ServerConfig("a", "10.0.0.1", 80, 1, AdminState.READY, 0),
                new ServerConfig("b", "10.0.0.2", 80, 1, AdminState.READY, 0, Set.of("cgi")))));
        assertThat(d.reserve(d.forClass(ctx(), Set.of("cgi"))).name()).isEqualTo("b");
    }

    @Test
    void aSlotFreedOnAnUntaggedBackEndDoesNotWakeAWaiterThatNeedsATag() {
        PoolDispatch d = new PoolDispatch(pool("round-robin", 1));
        Backend a = d.reserve(ctx());
        d.reserve(ctx());
        int[] woken = {0};
        d.queue().offer(() -> woken[0]++, 0, 10, Set.of("cgi"), clock.get(), 0);
        d.complete(a, Outcome.OK, 1000, 0, 0, clock.get(), "");
        assertThat(woken[0]).isZero();
        assertThat(d.queue().size()).isEqualTo(1);
    }

    @Test
    void aFreedSlotWakesTheFirstWaiter() {
        PoolDispatch d = new PoolDispatch(pool("round-robin", 1));
        Backend a = d.reserve(ctx());
        d.reserve(ctx());
        int[] woken = {0};
        d.queue().offer(() -> woken[0]++, 0, 10);
        assertThat(d.mustQueue(0)).isTrue();
        d.complete(a, Outcome.CLIENT_FAULT, -1, 0, 0, clock.get(), "");
        assertThat(woken[0]).isEqualTo(1);
        assertThat(d.mustQueue(0)).isFalse();
    }

    @Test
    void clientFaultsChargeNothingAndDoNotResetAFailureRun() {
        PoolDispatch d = new PoolDispatch(pool("round-robin", 0));
        Backend a = d.pool().backend("a");
        for (int i = 0; i < 2; i++) {
            assertThat(d.reserve(new PickContext(0, clock.get(), random, Set.of(d.pool().backend("b"))))).isSameAs(a);
            d.complete(a, Outcome.CLOSED_BEFORE_RESPONSE, -1, 0, 0, clock.get(), "reset");
        }
        d.reserve(new PickContext(0, clock.get(), random, Set.of(d.pool().backend("b"))));
        assertThat(d.complete(a, Outcome.CLIENT_FAULT, -1, 0, 0, clock.get(), "")).isEqualTo(2);
        assertThat(a.inFlight()).isZero();
        assertThat(a.failures()).isEqualTo(2);
    }

    @Test
    void theThirdConsecutiveFailureEjectsOnceAndSuspectRequestsDoNot() {
        PoolDispatch d = new PoolDispatch(pool("round-robin", 0));
        Backend a = d.pool().backend("a");
        for (int i = 0; i < 5; i++) {
            a.onDispatch();
            d.complete(a, Outcome.SUSPECT_REQUEST, -1, 0, 0, clock.get(), "");
        }
        assertThat(state(d, a)).isEqualTo(BackendState.UP);
        for (int i = 0; i < 3; i++) {
            a.onDispatch();
            d.complete(a, Outcome.BROKEN_MID_RESPONSE, -1, 0, 0, clock.get(), "reset");
        }
        assertThat(state(d, a)).isNotEqualTo(BackendState.UP);
    }

    private static BackendState state(PoolDispatch d, Backend b) {
        return d.pool().snapshot().backends().members().stream().filter(m -> m.backend() == b).findFirst().orElseThrow().state();
    }

    @Test
    void fastestSamplesOnlyWhatTheCallerMeasuredToTheFirstByte() {
        PoolDispatch d = new PoolDispatch(pool("fastest", 0));
        Backend a = d.pool().backend("a");
        a.onDispatch();
        d.complete(a, Outcome.CLIENT_FAULT, -1, 0, 0, clock.get(), "");
        assertThat(a.latency().sampledCost()).isEqualTo(PeakEwma.UNMEASURED);
        a.onDispatch();
        d.complete(a, Outcome.OK, 2_000_000, 10, 1_000_000_000, clock.get(), "");
        assertThat(a.latency().sampledCost()).isEqualTo(2_000_000);
    }
}
