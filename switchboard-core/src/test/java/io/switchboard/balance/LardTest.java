package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.backend.BackendState;
import io.switchboard.config.AllDownPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class LardTest extends AlgorithmContractTest {
    static final long KEY = 0x5eed_1234_abcdL;

    @Override
    Algorithm algorithm() {
        return Algorithms.byName("lard");
    }

    /** T_low 2, T_high 4: small enough to set loads by hand. */
    final Lard small = new Lard(2, 4);

    PickContext target(long key) {
        return new PickContext(key, NOW, random, Set.of());
    }

    static void load(Backend b, int inFlight) {
        while (b.inFlight() < inFlight) b.onDispatch();
        while (b.inFlight() > inFlight) b.onComplete(true, LATENCY, NOW);
    }

    @Test
    void thePapersThresholdsAreTheDefaults() {
        Lard lard = (Lard) algorithm();
        assertThat(lard.low()).isEqualTo(25);
        assertThat(lard.high()).isEqualTo(65);
        assertThat(lard.affinityKey()).isEqualTo(AffinityKey.PATH);
    }

    @Test
    void concurrentFirstRequestsForANewTargetAllLandOnItsOneServer() throws Exception {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (long key = 1; key <= 300; key++) {
                long k = key;
                CyclicBarrier gate = new CyclicBarrier(threads);
                List<Future<Backend>> picks = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    picks.add(pool.submit(() -> {
                        gate.await();
                        return picker.pick(new PickContext(k, NOW, ThreadLocalRandom.current(), Set.of()));
                    }));
                }
                Set<Backend> got = new HashSet<>();
                for (Future<Backend> f : picks) got.add(f.get());
                // The paper's front end gives a target one server; a lost race must not add a second.
                assertThat(got).as("servers of target %d", k).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTargetSticksToItsServerAndDifferentTargetsSpread() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Map<Long, Backend> owner = new HashMap<>();
        for (int round = 0; round < 5; round++) {
            for (long key = 1; key <= 30; key++) {
                Backend got = picker.pick(target(key));
                got.onDispatch();
                got.onComplete(true, LATENCY, NOW);
                Backend first = owner.putIfAbsent(key, got);
                if (first != null) assertThat(got).as("target %d in round %d", key, round).isSameAs(first);
            }
        }
        assertThat(new HashSet<>(owner.values())).containsExactlyInAnyOrder(a, b, c);
    }

    @Test
    void aTargetStaysUnderLoadWhileNobodyIsIdle() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = small.newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Backend owner = picker.pick(target(KEY));
        for (Backend x : List.of(a, b, c)) load(x, 3); // nobody below T_low = 2
        load(owner, 7); // over T_high = 4, under 2 * T_high = 8
        for (int i = 0; i < 20; i++) assertThat(picker.pick(target(KEY))).isSameAs(owner);
        for (Backend x : List.of(a, b, c)) load(x, 0);
    }

    @Test
    void aTargetMovesWhenItsServerIsOverHighAndAnotherIsBelowLow() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = small.newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Backend owner = picker.pick(target(KEY));
        Backend idle = owner == a ? b : a;
        Backend busy = owner == c ? b : c;
        load(owner, 4); // at T_high, not over: stays
        load(busy, 3);
        assertThat(picker.pick(target(KEY))).isSameAs(owner);

        load(owner, 5); // over T_high, and idle is below T_low
        Backend moved = picker.pick(target(KEY));
        assertThat(moved).as("the least loaded back end").isSameAs(idle);
        load(owner, 0);
        assertThat(picker.pick(target(KEY))).as("the move is remembered").isSameAs(idle);
        load(busy, 0);
    }

    @Test
    void aTargetMovesAtTwiceHighEvenWhenNobodyIsIdle() {
        Backend a = backend("a"), b = backend("b");
        Picker picker = small.newPicker(BackendSet.of(1, List.of(a, b)), null);
        Backend owner = picker.pick(target(KEY));
        Backend other = owner == a ? b : a;
        load(other, 6); // not below T_low
        load(owner, 7);
        assertThat(picker.pick(target(KEY))).isSameAs(owner);
        load(owner, 8); // 2 * T_high
        assertThat(picker.pick(target(KEY))).isSameAs(other);
        load(a, 0);
        load(b, 0);
    }

    @Test
    void anExcludedServerServesElsewhereForThatRequestOnly() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Backend owner = picker.pick(target(KEY));
        Backend elsewhere = picker.pick(new PickContext(KEY, NOW, random, Set.of(owner)));
        assertThat(elsewhere).isNotNull().isNotSameAs(owner);
        assertThat(picker.pick(target(KEY))).as("one failure does not move the target").isSameAs(owner);
    }

    @Test
    void assignmentsSurviveARebuildAndOnlyALeavingServersTargetsMove() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker first = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Map<Long, Backend> owner = new HashMap<>();
        for (long key = 1; key <= 60; key++) owner.put(key, first.pick(target(key)));
        assertThat(new HashSet<>(owner.values())).containsExactlyInAnyOrder(a, b, c);

        Backend d = backend("d");
        Picker grown = algorithm().newPicker(BackendSet.of(2, List.of(a, b, c, d)), first);
        for (long key = 1; key <= 60; key++) assertThat(grown.pick(target(key))).as("target %d", key).isSameAs(owner.get(key));

        // b goes down: its targets move, the others stay.
        BackendSet bDown = set(3, AllDownPolicy.FAIL, up(a, 1), member(b, BackendState.DOWN, 1), up(c, 1), up(d, 1));
        Picker shrunk = algorithm().newPicker(bDown, grown);
        for (long key = 1; key <= 60; key++) {
            Backend got = shrunk.pick(target(key));
            if (owner.get(key) == b) assertThat(got).isIn(a, c, d);
            else assertThat(got).as("target %d", key).isSameAs(owner.get(key));
        }
    }

    @Test
    void assignmentsSurviveAMomentWithoutEligibleServers() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker first = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Map<Long, Backend> owner = new HashMap<>();
        for (long key = 1; key <= 30; key++) owner.put(key, first.pick(target(key)));
        Picker none = algorithm().newPicker(BackendSet.empty(), first);
        assertThat(none.pick(target(1))).isNull();
        Picker back = algorithm().newPicker(BackendSet.of(3, List.of(a, b, c)), none);
        for (long key = 1; key <= 30; key++) assertThat(back.pick(target(key))).as("target %d", key).isSameAs(owner.get(key));
    }

    @Test
    void aFreshPickerStartsWithAnEmptyTable() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker one = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Picker other = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        Backend owner = one.pick(target(KEY));
        load(owner, 1);
        assertThat(other.pick(target(KEY))).as("another pool's table knows nothing of the target").isNotSameAs(owner);
        assertThat(one.pick(target(KEY))).isSameAs(owner);
        load(owner, 0);
    }

    @Test
    void theTargetTableIsBounded() {
        Backend a = backend("a"), b = backend("b");
        Picker picker = new Lard(25, 65, 64).newPicker(BackendSet.of(1, List.of(a, b)), null);
        Backend owner = picker.pick(target(KEY));
        load(owner, 1); // a new target would go to the other back end
        for (long key = 1; key <= 1_000; key++) {
            picker.pick(target(key));
        }
        assertThat(picker.pick(target(KEY)))
                .as("the least recently used target was evicted and is placed anew").isNotSameAs(owner);
        load(owner, 0);
    }

    @Test
    void thresholdsAreChecked() {
        assertThatThrownBy(() -> new Lard(0, 65)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lard").hasMessageContaining("1 <= low < high").hasMessageContaining("low 0");
        assertThatThrownBy(() -> new Lard(65, 65)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 <= low < high");
    }
}
