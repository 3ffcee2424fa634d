package io.switchboard.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.balance.Algorithms;
import io.switchboard.balance.PickContext;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.config.SendProxy;
import io.switchboard.config.ServerConfig;
import io.switchboard.health.HealthPolicy;
import io.switchboard.health.OutlierDetector;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pool's single writer: health, ejection, slow start, admin states, reloads, publication. No sleeps: time is a fake clock. */
class PoolTest {
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000 * MS;
    static final Instant WALL = Instant.parse("2026-11-22T12:00:00Z");

    final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    final List<Transition> heard = new ArrayList<>();
    final List<Pool.Snapshot> published = new ArrayList<>();

    /** rise 2, fall 3; eject after 3 consecutive failures for 10 s, doubling up to 80 s. */
    static Pool.Settings settings(long slowStartNanos, AllDownPolicy allDown, boolean activeHealth) {
        return new Pool.Settings(slowStartNanos, allDown, new HealthPolicy(2, 3), activeHealth,
                new OutlierDetector(3, 10 * SECOND, 80 * SECOND));
    }

    Pool pool(Pool.Settings settings, ServerConfig... servers) {
        Pool pool = new Pool("web", Algorithms.byName("round-robin"), settings, clock::get, InstantSource.fixed(WALL));
        pool.applyAll(Origin.FILE, List.of(new Change.Reconcile(List.of(servers))));
        pool.addListener((p, snapshot, transitions) -> {
            assertThat(p.snapshot()).as("listeners hear after publication").isSameAs(snapshot);
            published.add(snapshot);
            heard.addAll(transitions);
        });
        return pool;
    }

    Pool pool(ServerConfig... servers) {
        return pool(settings(0, AllDownPolicy.FAIL, false), servers);
    }

    static ServerConfig server(String name, int weight) {
        return new ServerConfig(name, "10.0.0." + (name.charAt(0) - 'a' + 1), 8080, weight, AdminState.READY);
    }

    static ServerConfig server(String name) {
        return server(name, 1);
    }

    static Member member(Pool pool, String name) {
        return pool.snapshot().backends().member(name);
    }

    static BackendState state(Pool pool, String name) {
        return member(pool, name).state();
    }

    void advance(long nanos) {
        clock.addAndGet(nanos);
    }

    Transition lastHeard() {
        return heard.get(heard.size() - 1);
    }

    // --- active health: rise and fall -------------------------------------------------------

    @Test
    void fallsAfterFallFailuresAndRisesAfterRisePasses() {
        Pool pool = pool(server("a"), server("b"));
        pool.apply(new Change.Probe("a", false, "connect refused"));
        pool.apply(new Change.Probe("a", false, "connect refused"));
        assertThat(state(pool, "a")).isEqualTo(BackendState.UP);
        pool.apply(new Change.Probe("a", false, "connect refused"));
        assertThat(state(pool, "a")).isEqualTo(BackendState.DOWN);
        assertThat(pool.snapshot().backends().eligibleList()).extracting(Backend::name).containsExactly("b");
        assertThat(lastHeard().cause()).isEqualTo("probe failed 3x: connect refused");
        assertThat(lastHeard().from()).isEqualTo(BackendState.UP);
        assertThat(lastHeard().epochMillis()).isEqualTo(WALL.toEpochMilli());

        pool.apply(new Change.Probe("a", true, "HTTP 200"));
        assertThat(state(pool, "a")).isEqualTo(BackendState.DOWN);
        pool.apply(new Change.Probe("a", true, "HTTP 200"));
        assertThat(state(pool, "a")).isEqualTo(BackendState.UP);
        assertThat(lastHeard()).hasToString("web/a down -> up (probe passed 2x: HTTP 200)");
    }

    @Test
    void aPassBetweenFailuresResetsTheCount() {
        Pool pool = pool(server("a"));
        for (boolean ok : new boolean[] {false, false, true, false, false}) pool.apply(new Change.Probe("a", ok, "x"));
        assertThat(state(pool, "a")).isEqualTo(BackendState.UP);
    }

    // --- passive health: ejection with exponential back-off ---------------------------------

    @Test
    void consecutiveFailuresBelowTheThresholdDoNotEject() {
        Pool pool = pool(server("a"));
        pool.apply(new Change.PassiveFailure("a", 2, "reset"));
        assertThat(state(pool, "a")).isEqualTo(BackendState.UP);
        assertThat(pool.needsTick()).isFalse();
    }

    @Test
    void ejectionLastsTheBaseThenDoublesAndIsCapped() {
        Pool pool = pool(server("a"), server("b"));
        long[] expectedSeconds = {10, 20, 40, 80, 80};
        for (long seconds : expectedSeconds) {
            pool.apply(new Change.PassiveFailure("a", 3, "connection reset"));
            assertThat(state(pool, "a")).isEqualTo(BackendState.DOWN);
            assertThat(lastHeard().cause()).isEqualTo("ejected for " + seconds * 1000 + " ms after 3 consecutive failures: connection reset");
            assertThat(pool.needsTick()).isTrue();

            advance(seconds * SECOND - 1);
            pool.apply(new Change.Tick());
            assertThat(state(pool, "a")).as("1 ns before the %d s ejection ends", seconds).isEqualTo(BackendState.DOWN);
            advance(1);
            pool.apply(new Change.Tick());
            assertThat(state(pool, "a")).isEqualTo(BackendState.UP);
            assertThat(lastHeard().cause()).isEqualTo("ejection expired");
            assertThat(pool.needsTick()).isFalse();
        }
    }

    static Pool.Settings ejectingAtMost(int percent) {
        return new Pool.Settings(0, AllDownPolicy.FAIL, new HealthPolicy(2, 3), false,
                new OutlierDetector(3, 10 * SECOND, 80 * SECOND, percent));
    }

    @Test
    void passiveEjectionNeverTakesMoreThanTheMaxEjectionPercent() {
        ServerConfig[] servers = new ServerConfig[20];
        for (int i = 0; i < servers.length; i++) servers[i] = new ServerConfig("s" + i, "10.0.1." + i, 8080, 1, AdminState.READY);
        Pool pool = pool(ejectingAtMost(10), servers);
        for (int i = 0; i < 5; i++) pool.apply(new Change.PassiveFailure("s" + i, 3, "HTTP 502"));
        assertThat(pool.snapshot().backends().members()).filteredOn(m -> m.state() == BackendState.DOWN)
                .extracting(m -> m.backend().name()).as("10 %% of 20").containsExactly("s0", "s1");
        assertThat(heard).extracting(Transition::toString).contains(
                "web/s2 up -> up (ejection refused: 2 of 20 back ends already ejected (max-ejection-percent 10, at most 2);"
                        + " 3 consecutive failures: HTTP 502)");

        advance(10 * SECOND);
        pool.apply(new Change.Tick()); // s0 and s1 return: room again
        pool.apply(new Change.PassiveFailure("s2", 4, "HTTP 502"));
        assertThat(state(pool, "s2")).isEqualTo(BackendState.DOWN);
    }

    @Test
    void atLeastOneBackendMayAlwaysBeEjected() {
        Pool pool = pool(ejectingAtMost(0), server("a"), server("b"), server("c"));
        pool.apply(new Change.PassiveFailure("a", 3, "reset"));
        pool.apply(new Change.PassiveFailure("b", 3, "reset"));
        assertThat(state(pool, "a")).isEqualTo(BackendState.DOWN);
        assertThat(state(pool, "b")).isEqualTo(BackendState.UP);
    }

    @Test
    void aRefusedEjectionIsNotedOnceNotPerFailure() {
        Pool pool = pool(ejectingAtMost(10), server("a"), server("b"));
        pool.apply(new Change.PassiveFailure("a", 3, "reset"));
        Pool.Snapshot afterEjection = pool.snapshot();
        heard.clear();
        for (int n = 3; n < 8; n++) pool.apply(new Change.PassiveFailure("b", n, "reset"));
        assertThat(heard).hasSize(1);
        assertThat(heard.get(0).note()).isTrue();
        assertThat(heard.get(0).cause()).startsWith("ejection refused: 1 of 2 back ends already ejected");
        assertThat(pool.snapshot()).as("a note does not rebuild the picker").isSameAs(afterEjection);
        assertThat(pool.history()).last().isEqualTo(heard.get(0));
    }

    @Test
    void weightChangesAreInTheHistoryWithTheirOrigin() {
        Pool pool = pool(server("a"));
        pool.apply(Origin.AGENT, new Change.SetWeight("a", 7));
        pool.apply(new Change.Reconcile(List.of(server("a", 1))));
        List<Transition> notes = pool.history().stream().filter(Transition::note).toList();
        assertThat(notes).extracting(Transition::toString).containsExactly(
                "web/a up -> up (weight 1 -> 7 (agent))", "web/a up -> up (reload: weight 7 -> 1)");
        assertThat(notes).extracting(Transition::origin).containsExactly(Origin.AGENT, Origin.API);
    }

    @Test
    void aServersSendProxyReachesItsBackendAndFollowsAReload() {
        ServerConfig a = server("a");
        ServerConfig av1 = new ServerConfig(a.name(), a.host(), a.port(), 1, AdminState.READY, 0, Set.of(), SendProxy.V1);
        Pool pool = pool(av1, server("b"));
        Backend backend = pool.backend("a");
        assertThat(backend.sendProxy()).isEqualTo(SendProxy.V1);
        assertThat(pool.backend("b").sendProxy()).isEqualTo(SendProxy.POOL);
        pool.apply(new Change.Reconcile(List.of(
                new ServerConfig(a.name(), a.host(), a.port(), 1, AdminState.READY, 0, Set.of(), SendProxy.OFF), server("b"))));
        assertThat(pool.backend("a")).as("the same back end, its setting changed in place").isSameAs(backend);
        assertThat(backend.sendProxy()).isEqualTo(SendProxy.OFF);
        assertThat(SendProxy.OFF.or(ProxyProtocolVersion.V2)).isNull();
        assertThat(SendProxy.POOL.or(ProxyProtocolVersion.V2)).isEqualTo(ProxyProtocolVersion.V2);
        assertThat(SendProxy.V1.or(null)).isEqualTo(ProxyProtocolVersion.V1);
    }

    @Test
    void anotherAlgorithmDropsTheTreeTheOldPickerKept() {
        ServerConfig[] servers = new ServerConfig[20]; // enough for least-conn's tree
        for (int i = 0; i < servers.length; i++) servers[i] = new ServerConfig("s" + i, "10.0.2." + (i + 1), 8080, 1, AdminState.READY);
        Pool pool = pool(servers);
        Pool.Settings same = pool.settings();
        pool.apply(Origin.FILE, new Change.Configure(Algorithms.byName("least-conn"), same));
        Backend s3 = pool.backend("s3");
        Backend.LoadWatcher tree = s3.watch(null);
        assertThat(tree).as("least-conn watches its back ends").isNotNull();
        s3.watch(tree);
        pool.apply(Origin.FILE, new Change.Configure(Algorithms.byName("round-robin"), same));
        assertThat(s3.watch(null)).as("round robin keeps no tree, so none is updated per request").isNull();
    }

    @Test
    void anotherAlgorithmDropsTheChainsCopyOfTheReportFigures() {
        Pool pool = pool(server("a"), server("b"), server("c"));
        Pool.Settings same = pool.settings();
        pool.apply(Origin.FILE, new Change.Configure(Algorithms.byName("chain"), same));
        Backend b = pool.backend("b");
        Backend.ReportWatcher copy = b.watchReports(null);
        assertThat(copy).as("the default chain copies its back ends' report figures").isNotNull();
        b.watchReports(copy);
        pool.apply(Origin.FILE, new Change.Configure(Algorithms.byName("round-robin"), same));
        assertThat(b.watchReports(null)).as("round robin copies nothing, so no report updates a copy").isNull();
    }

    @Test
    void configureChangesAlgorithmAndSettingsKeepingBackends() {
        Pool pool = pool(server("a"), server("b"));
        Backend a = pool.backend("a");
        a.onDispatch();
        Pool.Settings slow = settings(10 * SECOND, AllDownPolicy.IGNORE_HEALTH, true);
        pool.apply(Origin.FILE, new Change.Configure(Algorithms.byName("least-conn"), slow));
        assertThat(pool.algorithm().name()).isEqualTo("least-conn");
        assertThat(pool.snapshot().algorithm()).isSameAs(pool.algorithm());
        assertThat(pool.settings()).isEqualTo(slow);
        assertThat(pool.backend("a")).isSameAs(a);
        assertThat(pool.backend("a").inFlight()).isEqualTo(1);
        assertThat(pool.pick(new PickContext(0, 0, new SplittableRandom(1), Set.of()))).isSameAs(pool.backend("b"));
    }

    @Test
    void aBackendHealthyForTheMaximumEjectionForgetsItsEjections() {
        Pool pool = pool(server("a"));
        pool.apply(new Change.PassiveFailure("a", 3, "reset"));
        advance(10 * SECOND);
        pool.apply(new Change.Tick());
        pool.apply(new Change.PassiveFailure("a", 3, "reset"));
        assertThat(lastHeard().cause()).startsWith("ejected for 20000 ms");
        advance(20 * SECOND);
        pool.apply(new Change.Tick());

        advance(80 * SECOND + 1); // healthy for longer than the 80 s cap
        pool.apply(new Change.PassiveFailure("a", 3, "reset"));
        assertThat(lastHeard().cause()).startsWith("ejected for 10000 ms");
    }

    @Test
    void returningFromEjectionClearsTheFailureCount() {
        Pool pool = pool(server("a"));
        Backend a = pool.backend("a");
        for (int i = 0; i < 3; i++) a.onConnectFailure();
        pool.apply(new Change.PassiveFailure("a", a.consecutiveFailures(), "connect refused"));
        advance(10 * SECOND);
        pool.apply(new Change.Tick());
        assertThat(a.consecutiveFailures()).isZero();
    }

    @Test
    void withActiveHealthOnlyAPassingProbeAfterTheEjectionBringsItBack() {
        Pool pool = pool(settings(0, AllDownPolicy.FAIL, true), server("a"), server("b"));
        pool.apply(new Change.PassiveFailure("a", 5, "HTTP 503"));
        assertThat(state(pool, "a")).isEqualTo(BackendState.DOWN);

        advance(5 * SECOND);
        pool.apply(new Change.Probe("a", true, "HTTP 200"));
        assertThat(state(pool, "a")).as("still serving its ejection").isEqualTo(BackendState.DOWN);

        advance(6 * SECOND);
        pool.apply(new Change.Tick());
        assertThat(state(pool, "a")).as("expiry alone does not return it when probes decide").isEqualTo(BackendState.DOWN);
        pool.apply(new Change.Probe("a", false, "HTTP 503"));
        assertThat(state(pool, "a")).isEqualTo(BackendState.DOWN);

        pool.apply(new Change.Probe("a", true, "HTTP 200"));
        assertThat(state(pool, "a")).isEqualTo(BackendState.UP);
        assertThat(lastHeard().cause()).isEqualTo("probe passed after ejection: HTTP 200");
    }

    @Test
    void aBackendDownByProbesIsNotEjectedAgain() {
        Pool pool = pool(server("a"));
        for (int i = 0; i < 3; i++) pool.apply(new Change.Probe("a", false, "timeout"));
        pool.apply(new Change.PassiveFailure("a", 10, "timeout"));
        assertThat(member(pool, "a").cause()).isEqualTo("probe failed 3x: timeout");
        assertThat(pool.needsTick()).isFalse();
    }

    // --- slow start ---------------------------------------------------------------------------

    @Test
    void slowStartRampsTheEffectiveWeightLinearlyOverTheWindow() {
        Pool pool = pool(settings(10 * SECOND, AllDownPolicy.FAIL, false), server("a", 100), server("b", 100));
        assertThat(member(pool, "a").effectiveWeight()).as("servers present at start do not ramp").isEqualTo(100);
        for (int i = 0; i < 3; i++) pool.apply(new Change.Probe("a", false, "down"));
        pool.apply(new Change.Probe("a", true, "up"));
        pool.apply(new Change.Probe("a", true, "up"));
        assertThat(state(pool, "a")).isEqualTo(BackendState.UP);
        assertThat(member(pool, "a").effectiveWeight()).as("at least 1 so it is tried").isEqualTo(1);
        assertThat(pool.needsTick()).isTrue();

        int[] expected = {25, 50, 75};
        for (int w : expected) {
            advance(2_500 * MS);
            pool.apply(new Change.Tick());
            assertThat(member(pool, "a").effectiveWeight()).isEqualTo(w);
            assertThat(member(pool, "a").weight()).isEqualTo(100);
            assertThat(pool.snapshot().backends().weights()).containsExactly(w, 100);
        }
        advance(2_500 * MS);
        pool.apply(new Change.Tick());
        assertThat(member(pool, "a").effectiveWeight()).isEqualTo(100);
        assertThat(pool.needsTick()).isFalse();
    }

    @Test
    void aServerAddedAtRunTimeRampsLikeAReturningOne() {
        Pool pool = pool(settings(10 * SECOND, AllDownPolicy.FAIL, false), server("a", 100));
        pool.apply(new Change.Add(server("b", 100)));
        assertThat(member(pool, "b").effectiveWeight()).as("added by the admin API").isEqualTo(1);
        assertThat(pool.needsTick()).isTrue();
        advance(5 * SECOND);
        pool.apply(new Change.Tick());
        assertThat(member(pool, "b").effectiveWeight()).isEqualTo(50);

        pool.apply(new Change.Reconcile(List.of(server("a", 100), server("b", 100), server("c", 100))));
        assertThat(member(pool, "c").effectiveWeight()).as("added by a reload").isEqualTo(1);
        assertThat(member(pool, "a").effectiveWeight()).as("present from the start").isEqualTo(100);
    }

    @Test
    void aServerAddedInMaintRampsWhenItIsPutInService() {
        Pool pool = pool(settings(10 * SECOND, AllDownPolicy.FAIL, false), server("a", 100));
        pool.apply(new Change.Add(new ServerConfig("b", "10.0.0.2", 8080, 100, AdminState.MAINT)));
        advance(20 * SECOND);
        pool.apply(new Change.SetAdmin("b", AdminState.READY, null));
        assertThat(member(pool, "b").effectiveWeight()).isEqualTo(1);
    }

    @Test
    void returningFromDrainAlsoRamps() {
        Pool pool = pool(settings(10 * SECOND, AllDownPolicy.FAIL, false), server("a", 10), server("b", 10));
        pool.apply(new Change.SetAdmin("a", AdminState.DRAIN, null));
        pool.apply(new Change.SetAdmin("a", AdminState.READY, null));
        assertThat(member(pool, "a").effectiveWeight()).isEqualTo(1);
        advance(5 * SECOND);
        pool.apply(new Change.Tick());
        assertThat(member(pool, "a").effectiveWeight()).isEqualTo(5);
    }

    // --- operator states ----------------------------------------------------------------------

    @Test
    void drainAndMaintTakeABackendOutOfRotation() {
        Pool pool = pool(server("a"), server("b"));
        pool.apply(new Change.SetAdmin("b", AdminState.DRAIN, null));
        assertThat(state(pool, "b")).isEqualTo(BackendState.DRAIN);
        assertThat(member(pool, "b").cause()).isEqualTo("operator: drain");
        assertThat(pool.snapshot().backends().eligibleList()).extracting(Backend::name).containsExactly("a");

        pool.apply(new Change.SetAdmin("b", AdminState.MAINT, "kernel upgrade"));
        assertThat(state(pool, "b")).isEqualTo(BackendState.MAINT);
        assertThat(lastHeard()).hasToString("web/b drain -> maint (kernel upgrade)");

        pool.apply(new Change.Probe("b", true, "HTTP 200"));
        pool.apply(new Change.Probe("b", true, "HTTP 200"));
        assertThat(state(pool, "b")).as("probes do not override an operator").isEqualTo(BackendState.MAINT);

        pool.apply(new Change.SetAdmin("b", AdminState.READY, null));
        assertThat(state(pool, "b")).isEqualTo(BackendState.UP);
        for (int i = 0; i < 100; i++) assertThat(pool.pick(new PickContext(0, 0, new SplittableRandom(1), Set.of()))).isNotNull();
    }

    @Test
    void aDrainedBackendKeepsCountingItsRequestsInFlight() {
        Pool pool = pool(server("a"), server("b"));
        Backend b = pool.backend("b");
        b.onDispatch();
        pool.apply(new Change.SetAdmin("b", AdminState.DRAIN, null));
        assertThat(pool.backend("b")).isSameAs(b);
        assertThat(b.inFlight()).isEqualTo(1);
        assertThat(pool.inFlight()).isEqualTo(1);
        b.onComplete(true, MS, clock.get());
        assertThat(pool.inFlight()).isZero();
    }

    // --- config reload ------------------------------------------------------------------------

    @Test
    void reconcileAddsRemovesAndReweighsKeepingIdentity() {
        Pool pool = pool(server("a"), server("b"), server("c"));
        Backend a = pool.backend("a"), c = pool.backend("c");
        heard.clear();

        pool.apply(new Change.Reconcile(List.of(server("d", 2), server("a", 5), server("c"))));

        assertThat(pool.snapshot().backends().members()).extracting(m -> m.backend().name()).as("config order").containsExactly("d", "a", "c");
        assertThat(pool.backend("a")).isSameAs(a);
        assertThat(pool.backend("c")).isSameAs(c);
        assertThat(member(pool, "a").weight()).isEqualTo(5);
        assertThat(member(pool, "d").weight()).isEqualTo(2);
        assertThat(pool.backend("b")).isNull();
        assertThat(heard).extracting(Transition::toString).containsExactlyInAnyOrder(
                "web/d new -> up (added by reload)", "web/b up -> maint (removed)", "web/a up -> up (reload: weight 1 -> 5)");
    }

    @Test
    void reconcileFollowsANewOrderOfTheSameServers() {
        Pool pool = pool(server("a"), server("b"), server("c"));
        Backend a = pool.backend("a");

        pool.apply(new Change.Reconcile(List.of(server("c"), server("a"), server("b"))));
        assertThat(pool.snapshot().backends().members()).extracting(m -> m.backend().name()).containsExactly("c", "a", "b");
        assertThat(pool.backend("a")).isSameAs(a);

        pool.apply(new Change.Reconcile(List.of(server("c"), server("a", 3), server("b"))));
        assertThat(pool.snapshot().backends().members()).extracting(m -> m.backend().name()).containsExactly("c", "a", "b");
        assertThat(member(pool, "a").weight()).isEqualTo(3);
    }

    @Test
    void reconcileReplacesABackendWhoseAddressChanged() {
        Pool pool = pool(server("a"), server("b"));
        Backend b = pool.backend("b");
        pool.apply(new Change.Reconcile(List.of(server("a"), new ServerConfig("b", "10.0.9.9", 8080, 1, AdminState.READY))));
        assertThat(pool.backend("b")).isNotSameAs(b);
        assertThat(pool.backend("b").address()).isEqualTo("10.0.9.9:8080");
    }

    @Test
    void reconcileAppliesConfiguredStates() {
        Pool pool = pool(server("a"), server("b"));
        pool.apply(new Change.Reconcile(List.of(server("a"), new ServerConfig("b", "10.0.0.2", 8080, 1, AdminState.DRAIN))));
        assertThat(state(pool, "b")).isEqualTo(BackendState.DRAIN);
        assertThat(lastHeard().cause()).isEqualTo("reload: drain");
    }

    @Test
    void reconcileRejectsADuplicateName() {
        Pool pool = pool(server("a"));
        assertThatThrownBy(() -> pool.apply(new Change.Reconcile(List.of(server("a"), server("a", 3)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a' appears twice");
        assertThat(member(pool, "a").weight()).isEqualTo(1);
    }

    // --- publication, errors ------------------------------------------------------------------

    @Test
    void aBatchPublishesOneNewVersion() {
        Pool pool = pool(server("a"));
        long v = pool.snapshot().backends().version();
        pool.applyAll(List.of(new Change.SetWeight("a", 3), new Change.Tick(), new Change.Add(server("b"))));
        pool.apply(new Change.SetAdmin("b", AdminState.DRAIN, null));
        assertThat(pool.snapshot().backends().version()).isEqualTo(v + 2);
        assertThat(published).hasSize(2);
        assertThat(published.get(1)).isSameAs(pool.snapshot());
    }

    @Test
    void changesThatChangeNothingVisiblePublishNothing() {
        Pool pool = pool(server("a", 3), server("b"));
        Pool.Snapshot before = pool.snapshot();
        pool.apply(new Change.Tick());
        pool.apply(new Change.SetWeight("a", 3));
        pool.apply(new Change.SetAdmin("b", AdminState.READY, "operator: ready"));
        pool.apply(new Change.Probe("a", true, "HTTP 200")); // up, stays up
        pool.apply(new Change.Probe("a", false, "timeout")); // one failure of three
        pool.apply(new Change.PassiveFailure("b", 2, "reset")); // below the threshold of 3
        pool.apply(new Change.Reconcile(List.of(server("a", 3), server("b"))));
        assertThat(pool.snapshot()).isSameAs(before);
        assertThat(published).isEmpty();
        assertThat(heard).isEmpty();
    }

    @Test
    void unknownNamesAreRejectedNamingThePoolAndItsServers() {
        Pool pool = pool(server("a"), server("b"));
        List<Change> changes = List.of(new Change.Remove("zz"), new Change.SetWeight("zz", 1),
                new Change.SetAdmin("zz", AdminState.DRAIN, null), new Change.Probe("zz", true, ""),
                new Change.PassiveFailure("zz", 9, ""));
        for (Change change : changes) {
            assertThatThrownBy(() -> pool.apply(change))
                    .as("%s", change)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("pool 'web' has no server named 'zz' (has: a, b)");
        }
        assertThatThrownBy(() -> pool.apply(new Change.Add(server("a"))))
                .hasMessage("pool 'web' already has a server named 'a'");
        assertThatThrownBy(() -> pool.apply(new Change.SetWeight("a", 257)))
                .hasMessage("weight 257 out of range 0-256");
    }

    @Test
    void aFailingBatchPublishesNothingAndLeavesNoTrace() {
        Pool pool = pool(server("a"), server("b"));
        Pool.Snapshot before = pool.snapshot();

        assertThatThrownBy(() -> pool.applyAll(List.of(
                new Change.SetWeight("a", 7),
                new Change.SetAdmin("b", AdminState.MAINT, null),
                new Change.Probe("a", false, "x"), new Change.Probe("a", false, "x"),
                new Change.Add(server("c")),
                new Change.Remove("zz"))))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(pool.snapshot()).isSameAs(before);
        assertThat(published).isEmpty();
        assertThat(heard).isEmpty();

        pool.apply(new Change.Probe("a", false, "x")); // one failure, not the third
        assertThat(member(pool, "a").weight()).isEqualTo(1);
        assertThat(state(pool, "a")).isEqualTo(BackendState.UP);
        assertThat(state(pool, "b")).isEqualTo(BackendState.UP);
        assertThat(pool.backend("c")).isNull();
        assertThat(pool.snapshot()).as("one failure of three changes nothing visible").isSameAs(before);
    }

    @Test
    void allDownWithIgnoreHealthPanicsInsteadOfFailing() {
        Pool pool = pool(settings(0, AllDownPolicy.IGNORE_HEALTH, true), server("a"), server("b"));
        for (String n : List.of("a", "b")) for (int i = 0; i < 3; i++) pool.apply(new Change.Probe(n, false, "timeout"));
        assertThat(pool.snapshot().backends().panic()).isTrue();
        assertThat(pool.pick(new PickContext(0, 0, new SplittableRandom(3), Set.of()))).isNotNull();

        Pool strict = pool(server("a"));
        for (int i = 0; i < 3; i++) strict.apply(new Change.Probe("a", false, "timeout"));
        assertThat(strict.pick(new PickContext(0, 0, new SplittableRandom(3), Set.of()))).isNull();
    }

    @Test
    void historyKeepsTheLast32Transitions() {
        Pool pool = pool(server("a"));
        for (int i = 0; i < 20; i++) {
            pool.apply(new Change.SetAdmin("a", AdminState.DRAIN, "round " + i));
            pool.apply(new Change.SetAdmin("a", AdminState.READY, "round " + i));
        }
        List<Transition> history = pool.history();
        assertThat(history).hasSize(32);
        assertThat(history.get(31)).hasToString("web/a drain -> up (round 19)");
    }

    @Test
    void removedListenersHearNothing() {
        Pool pool = pool(server("a"));
        List<Transition> other = new ArrayList<>();
        PoolListener listener = (p, s, t) -> other.addAll(t);
        pool.addListener(listener);
        pool.removeListener(listener);
        pool.apply(new Change.SetAdmin("a", AdminState.DRAIN, null));
        assertThat(other).isEmpty();
        assertThat(heard).hasSize(1);
    }
}
