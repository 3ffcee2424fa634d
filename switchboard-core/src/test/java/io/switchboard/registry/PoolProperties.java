package io.switchboard.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.balance.Algorithms;
import io.switchboard.balance.PickContext;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.ServerConfig;
import io.switchboard.health.HealthPolicy;
import io.switchboard.health.OutlierDetector;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Membership churn: whatever sequence of changes a pool goes through, every published snapshot is
 * complete and its picker only ever returns an eligible back end; versions strictly increase; a
 * rejected change publishes nothing.
 */
class PoolProperties {
    static final long MS = 1_000_000L;
    static final List<String> NAMES = List.of("a", "b", "c", "d", "e", "f");

    /** One step of a run: time passes, then a change arrives. */
    record Step(long advanceNanos, Change change) {}

    @Provide
    Arbitrary<String> algorithms() {
        return Arbitraries.of(Algorithms.names());
    }

    @Provide
    Arbitrary<List<Step>> runs() {
        Arbitrary<String> name = Arbitraries.of(NAMES);
        Arbitrary<Integer> weight = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(6, Arbitraries.integers().between(1, 10)),
                Tuple.of(1, Arbitraries.integers().between(11, ServerConfig.MAX_WEIGHT)));
        Arbitrary<AdminState> admin = Arbitraries.of(AdminState.class);
        Arbitrary<Change> add = Combinators.combine(name, weight, admin, Arbitraries.integers().between(1, 3))
                .as((n, w, s, host) -> new Change.Add(new ServerConfig(n, "10.2.0." + host, 8000 + n.charAt(0), w, s)));
        Arbitrary<Change> remove = name.map(Change.Remove::new);
        Arbitrary<Change> setWeight = Combinators.combine(name, weight).as(Change.SetWeight::new);
        Arbitrary<Change> setAdmin = Combinators.combine(name, admin).as((n, s) -> new Change.SetAdmin(n, s, null));
        Arbitrary<Change> probe = Combinators.combine(name, Arbitraries.of(true, false)).as((n, ok) -> new Change.Probe(n, ok, "probe"));
        Arbitrary<Change> passive = Combinators.combine(name, Arbitraries.integers().between(1, 8))
                .as((n, k) -> new Change.PassiveFailure(n, k, "passive"));
        Arbitrary<Change> tick = Arbitraries.just(new Change.Tick());
        Arbitrary<Change> reconcile = Combinators.combine(name.set().ofMaxSize(4), weight)
                .as((names, w) -> {
                    List<ServerConfig> servers = new ArrayList<>();
                    for (String n : names) servers.add(new ServerConfig(n, "10.2.0.1", 8000 + n.charAt(0), w, AdminState.READY));
                    return (Change) new Change.Reconcile(servers);
                });
        Arbitrary<Change> change = Arbitraries.frequencyOf(
                Tuple.of(4, add), Tuple.of(2, remove), Tuple.of(2, setWeight),
                Tuple.of(2, setAdmin), Tuple.of(5, probe), Tuple.of(3, passive),
                Tuple.of(3, tick), Tuple.of(1, reconcile));
        Arbitrary<Long> advance = Arbitraries.longs().between(0, 20_000 * MS);
        return Combinators.combine(advance, change).as(Step::new).list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 300, seed = "6677")
    void churnNeverPublishesAPickerThatReturnsAnIneligibleBackend(
            @ForAll("algorithms") String algorithm,
            @ForAll("runs") List<Step> run,
            @ForAll AllDownPolicy allDown,
            @ForAll boolean activeHealth,
            @ForAll boolean slowStart) {
        AtomicLong clock = new AtomicLong(-3_000 * MS); // System.nanoTime may be negative
        Pool.Settings settings = new Pool.Settings(slowStart ? 5_000 * MS : 0, allDown, new HealthPolicy(2, 2), activeHealth,
                new OutlierDetector(3, 1_000 * MS, 8_000 * MS));
        Pool pool = new Pool("churn", Algorithms.byName(algorithm), settings, clock::get,
                InstantSource.fixed(Instant.parse("2026-11-22T00:00:00Z")));
        Map<String, BackendState> heardState = new HashMap<>();
        pool.addListener((p, snapshot, transitions) -> {
            for (Transition t : transitions) heardState.put(t.backend(), t.to());
        });
        SplittableRandom random = new SplittableRandom(99);
        long version = pool.snapshot().backends().version();

        for (Step step : run) {
            clock.addAndGet(step.advanceNanos());
            Pool.Snapshot before = pool.snapshot();
            try {
                pool.apply(step.change());
            } catch (IllegalArgumentException rejected) {
                assertThat(pool.snapshot()).as("a rejected %s publishes nothing", step.change()).isSameAs(before);
                continue;
            }
            Pool.Snapshot now = pool.snapshot();
            BackendSet set = now.backends();
            if (now == before) {
                assertThat(set.version()).as("nothing published, same version").isEqualTo(version);
            } else {
                assertThat(set.version()).as("versions strictly increase").isGreaterThan(version);
            }
            version = set.version();

            Set<Backend> eligible = new HashSet<>(set.eligibleList());
            for (Member m : set.members()) {
                boolean shouldServe = set.panic()
                        ? m.state() == BackendState.DOWN && m.weight() > 0
                        : m.state() == BackendState.UP && m.effectiveWeight() > 0;
                assertThat(eligible.contains(m.backend())).as("%s in %s", m, set).isEqualTo(shouldServe);
                assertThat(m.effectiveWeight()).isBetween(Math.min(1, m.weight()), m.weight());
                assertThat(heardState.get(m.backend().name())).as("listeners heard %s's state", m.backend().name()).isEqualTo(m.state());
            }
            for (int i = 0; i < 20; i++) {
                Backend picked = now.picker().pick(new PickContext(random.nextLong(), clock.get(), random, Set.of()));
                if (eligible.isEmpty()) {
                    assertThat(picked).isNull();
                } else {
                    assertThat(picked).as("pick from %s", set).isIn(eligible);
                }
            }
        }
    }

    static List<String> describe(BackendSet set) {
        List<String> out = new ArrayList<>();
        for (Member m : set.members()) {
            out.add(m.backend() + " " + m.state() + " " + m.admin() + " w" + m.weight() + "/" + m.effectiveWeight()
                    + " #" + System.identityHashCode(m.backend()));
        }
        return out;
    }

    @Property(tries = 150, seed = "7788")
    void aBatchWithABadChangePublishesNothingAndLeavesNoTrace(@ForAll("runs") List<Step> run) {
        Pool pool = new Pool("batch", Algorithms.byName("round-robin"), Pool.Settings.defaults(), () -> 0L, InstantSource.system());
        List<Change> setup = new ArrayList<>();
        for (String n : NAMES.subList(0, 4)) setup.add(new Change.Add(new ServerConfig(n, "10.2.0.1", 8000 + n.charAt(0), 2, AdminState.READY)));
        pool.applyAll(setup);
        List<String> expected = describe(pool.snapshot().backends());

        List<Change> batch = new ArrayList<>();
        for (Step s : run) batch.add(s.change());
        batch.add(new Change.Remove("no-such-server"));
        Pool.Snapshot before = pool.snapshot();
        assertThatThrownBy(() -> pool.applyAll(batch)).isInstanceOf(IllegalArgumentException.class);
        assertThat(pool.snapshot()).isSameAs(before);

        pool.apply(new Change.Tick());
        assertThat(describe(pool.snapshot().backends())).as("nothing of the batch stuck").isEqualTo(expected);
        // Health counters rolled back too: fall is 3, so two failures after the batch keep a server up.
        pool.applyAll(List.of(new Change.Probe("a", false, "x"), new Change.Probe("a", false, "x")));
        assertThat(pool.snapshot().backends().member("a").state()).isEqualTo(BackendState.UP);
    }
}
