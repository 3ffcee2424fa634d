package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every balancing algorithm promises, whatever it optimizes: nothing from nothing, never an
 * ineligible or excluded back end, membership changes take effect at once, weights count, "all down"
 * follows the pool's policy, and concurrent picks are safe. One subclass per registered algorithm.
 *
 * <p>Every pick gets a fresh random hash, so the hashing algorithms are exercised over many keys
 * (the others ignore it). Randomness is seeded and time is fixed.
 */
abstract class AlgorithmContractTest {
    static final long NOW = 1_000_000_000_000L;
    static final long LATENCY = 10_000_000L; // 10 ms

    /** The algorithm under test, from the registry as the pool gets it. */
    abstract Algorithm algorithm();

    final SplittableRandom random = new SplittableRandom(20261122L);
    final AtomicInteger poolInFlight = new AtomicInteger();
    private final List<Backend> dispatched = new ArrayList<>();

    @AfterEach
    void completeEverything() {
        for (Backend b : dispatched) b.onComplete(true, LATENCY, NOW);
        dispatched.clear();
    }

    /** A back end of this test's pool, with one latency sample so that fastest has a measurement. */
    Backend backend(String name) {
        Backend b = new Backend("contract", name, "10.0.0." + (Math.abs(name.hashCode()) % 250 + 1), 8080, poolInFlight);
        b.latency().observe(LATENCY, NOW - 1_000_000);
        return b;
    }

    static Member member(Backend b, BackendState state, int weight) {
        AdminState admin = switch (state) {
            case DRAIN -> AdminState.DRAIN;
            case MAINT -> AdminState.MAINT;
            default -> AdminState.READY;
        };
        return new Member(b, state, admin, weight, weight, "test");
    }

    static Member up(Backend b, int weight) {
        return member(b, BackendState.UP, weight);
    }

    static BackendSet set(long version, AllDownPolicy allDown, Member... members) {
        return new BackendSet(version, List.of(members), allDown);
    }

    static BackendSet upSet(long version, Backend... backends) {
        return BackendSet.of(version, List.of(backends));
    }

    PickContext context() {
        return new PickContext(random.nextLong(), NOW, random, Set.of());
    }

    PickContext excluding(Backend... excluded) {
        return new PickContext(random.nextLong(), NOW, random, Set.of(excluded));
    }

    Map<Backend, Integer> countPicks(Picker picker, int picks) {
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            Backend b = picker.pick(context());
            assertThat(b).as("pick %d", i).isNotNull();
            counts.merge(b, 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Sequential traffic: each pick is dispatched and completes before the next pick, so every pick
     * sees every back end idle (no bytes counted).
     */
    Map<Backend, Integer> countSequentialPicks(Picker picker, int picks) {
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            Backend b = picker.pick(context());
            assertThat(b).as("pick %d", i).isNotNull();
            counts.merge(b, 1, Integer::sum);
            b.onDispatch();
            b.onComplete(true, LATENCY, NOW);
        }
        return counts;
    }

    /**
     * Picks in a closed loop, as a proxy would: each pick is dispatched (in flight, bytes counted) and
     * completes {@code concurrency} picks later, so the load-aware algorithms see their own effect.
     */
    Map<Backend, Integer> countDispatchedPicks(Picker picker, int picks, int concurrency) {
        Map<Backend, Integer> counts = new HashMap<>();
        Deque<Backend> inFlight = new ArrayDeque<>();
        for (int i = 0; i < picks; i++) {
            Backend b = picker.pick(context());
            assertThat(b).as("pick %d", i).isNotNull();
            counts.merge(b, 1, Integer::sum);
            b.onDispatch();
            b.onBytes(1_000, 10_000, NOW);
            inFlight.addLast(b);
            if (inFlight.size() > concurrency) inFlight.removeFirst().onComplete(true, LATENCY, NOW);
        }
        dispatched.addAll(inFlight);
        return counts;
    }

    @Test
    void emptySetPicksNothing() {
        Picker picker = algorithm().newPicker(BackendSet.empty(), null);
        for (int i = 0; i < 10; i++) assertThat(picker.pick(context())).isNull();
    }

    @Test
    void everyBackendExcludedPicksNothing() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c), 5, 1, 1), null);
        for (int i = 0; i < 200; i++) assertThat(picker.pick(excluding(a, b, c))).isNull();
    }

    @Test
    void exclusionIsHonoured() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c), 5, 1, 1), null);
        Set<Backend> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            Backend picked = picker.pick(excluding(a));
            assertThat(picked).isIn(b, c);
            seen.add(picked);
        }
        assertThat(seen).as("both remaining back ends serve").containsExactlyInAnyOrder(b, c);
        for (int i = 0; i < 500; i++) assertThat(picker.pick(excluding(a, c))).isSameAs(b);
    }

    @Test
    void exclusionOfBackendsFromAnOlderSnapshotDoesNotHideEligibleOnes() {
        // A redispatch may carry back ends that were removed since: as many excluded as there are
        // members must not be read as "all excluded".
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Backend goneX = backend("gone-x"), goneY = backend("gone-y");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c), 10, 1, 1), null);
        for (int i = 0; i < 2_000; i++) {
            assertThat(picker.pick(excluding(a, goneX, goneY))).isIn(b, c);
        }
    }

    @Test
    void aRemovedBackendIsNeverPickedAgain() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker before = algorithm().newPicker(upSet(1, a, b, c), null);
        assertThat(countPicks(before, 1_000)).containsKey(b);

        Picker after = algorithm().newPicker(upSet(2, a, c), before);
        Map<Backend, Integer> counts = countPicks(after, 3_000);
        assertThat(counts).doesNotContainKey(b).containsKeys(a, c);
    }

    @Test
    void anAddedBackendGetsPicked() {
        Backend a = backend("a"), b = backend("b");
        Picker before = algorithm().newPicker(upSet(1, a, b), null);
        countPicks(before, 500);

        Backend c = backend("c");
        Picker after = algorithm().newPicker(upSet(2, a, b, c), before);
        assertThat(countPicks(after, 3_000)).containsKeys(a, b, c);
    }

    @Test
    void allDownUnderFailPicksNothing() {
        Backend a = backend("a"), b = backend("b");
        BackendSet set = set(1, AllDownPolicy.FAIL, member(a, BackendState.DOWN, 1), member(b, BackendState.DOWN, 2));
        assertThat(set.panic()).isFalse();
        Picker picker = algorithm().newPicker(set, null);
        for (int i = 0; i < 100; i++) assertThat(picker.pick(context())).isNull();
    }

    @Test
    void allDownUnderIgnoreHealthPicksTheDownOnesInPanic() {
        Backend a = backend("a"), b = backend("b"), drained = backend("drained"), maint = backend("maint");
        BackendSet set = set(1, AllDownPolicy.IGNORE_HEALTH,
                member(a, BackendState.DOWN, 1), member(b, BackendState.DOWN, 2),
                member(drained, BackendState.DRAIN, 1), member(maint, BackendState.MAINT, 1));
        assertThat(set.panic()).isTrue();
        Map<Backend, Integer> counts = countDispatchedPicks(algorithm().newPicker(set, null), 3_000, 8);
        assertThat(counts.keySet()).as("an operator's drain and maint still hold in panic").containsExactlyInAnyOrder(a, b);
    }

    @Test
    void heavierBackendGetsMorePicks() {
        Backend heavy = backend("heavy"), light = backend("light");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(heavy, light), 3, 1), null);
        Map<Backend, Integer> counts = countDispatchedPicks(picker, 8_000, 16);
        assertThat(counts.getOrDefault(heavy, 0))
                .as("weight 3 vs 1: %s", counts)
                .isGreaterThan(2 * counts.getOrDefault(light, 0));
        assertThat(counts.getOrDefault(light, 0)).as("weight 1 still serves: %s", counts).isPositive();
    }

    @Test
    void weightChangeTakesEffectInTheNextPicker() {
        Backend a = backend("a"), b = backend("b");
        Picker even = algorithm().newPicker(BackendSet.of(1, List.of(a, b), 1, 1), null);
        countDispatchedPicks(even, 1_000, 16);
        completeEverything();

        Picker skewed = algorithm().newPicker(BackendSet.of(2, List.of(a, b), 1, 3), even);
        Map<Backend, Integer> counts = countDispatchedPicks(skewed, 8_000, 16);
        assertThat(counts.getOrDefault(b, 0)).as("after b's weight went 1 -> 3: %s", counts)
                .isGreaterThan(2 * counts.getOrDefault(a, 0));
    }

    @Test
    void zeroWeightMemberIsNeverPicked() {
        Backend a = backend("a"), b = backend("b"), zero = backend("zero");
        BackendSet set = set(1, AllDownPolicy.FAIL, up(a, 1), up(zero, 0), up(b, 2));
        assertThat(set.eligibleList()).containsExactly(a, b);
        assertThat(countPicks(algorithm().newPicker(set, null), 3_000)).doesNotContainKey(zero);
    }

    @Test
    void onlyAZeroWeightMemberPicksNothing() {
        BackendSet set = set(1, AllDownPolicy.IGNORE_HEALTH, up(backend("zero"), 0));
        Picker picker = algorithm().newPicker(set, null);
        for (int i = 0; i < 50; i++) assertThat(picker.pick(context())).isNull();
    }

    @Test
    void drainingAndMaintenanceMembersAreNeverPicked() {
        Backend a = backend("a"), b = backend("b"), drained = backend("drained"), maint = backend("maint"), down = backend("down");
        BackendSet set = set(1, AllDownPolicy.IGNORE_HEALTH,
                member(drained, BackendState.DRAIN, 5), up(a, 1), member(maint, BackendState.MAINT, 5),
                member(down, BackendState.DOWN, 5), up(b, 1));
        assertThat(set.panic()).isFalse();
        Map<Backend, Integer> counts = countDispatchedPicks(algorithm().newPicker(set, null), 3_000, 8);
        assertThat(counts.keySet()).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void concurrentPicksReturnOnlyEligibleBackends() throws Exception {
        Backend[] eligible = {backend("a"), backend("b"), backend("c"), backend("d"), backend("e")};
        Backend drained = backend("drained"), down = backend("down");
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < eligible.length; i++) members.add(up(eligible[i], 1 + i % 3));
        members.add(member(drained, BackendState.DRAIN, 2));
        members.add(member(down, BackendState.DOWN, 2));
        Picker picker = algorithm().newPicker(new BackendSet(1, members, AllDownPolicy.IGNORE_HEALTH), null);
        Set<Backend> allowed = Set.of(eligible);

        int threads = 4, picksPerThread = 10_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                SplittableRandom own = random.split(); // SplittableRandom is not thread-safe: one per thread
                Callable<Integer> worker = () -> {
                    start.await();
                    int bad = 0;
                    for (int i = 0; i < picksPerThread; i++) {
                        Backend b = picker.pick(new PickContext(own.nextLong(), NOW, own, Set.of()));
                        if (b == null || !allowed.contains(b)) {
                            bad++;
                            continue;
                        }
                        // Move the live counters the pickers read while others pick.
                        b.onDispatch();
                        b.onBytes(100, 1_000, NOW);
                        b.onComplete(true, LATENCY + own.nextInt(1_000_000), NOW);
                    }
                    return bad;
                };
                results.add(pool.submit(worker));
            }
            start.countDown();
            for (Future<Integer> f : results) assertThat(f.get(30, TimeUnit.SECONDS)).as("null or ineligible picks").isZero();
        } finally {
            pool.shutdownNow();
        }
        for (Backend b : eligible) assertThat(b.inFlight()).isZero();
        assertThat(Arrays.stream(eligible).mapToLong(Backend::requests).sum()).isEqualTo((long) threads * picksPerThread);
    }
}
