package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Distribution properties of the balancing algorithms. Seeds are fixed so that a run is
 * reproducible; the statistical tolerances are wide enough that a correct algorithm passes for
 * every seed, and narrow enough that ignoring weights fails.
 */
class BalanceProperties {
    static final long NOW = 1_000_000_000_000L;

    static List<Backend> backends(int n, AtomicInteger poolInFlight) {
        List<Backend> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) list.add(new Backend("prop", "s" + i, "10.1." + (i / 250) + "." + (i % 250 + 1), 8080, poolInFlight));
        return list;
    }

    static int[] toArray(List<Integer> weights) {
        return weights.stream().mapToInt(Integer::intValue).toArray();
    }

    static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Round robin is exact: any full cycle of sum(w)/gcd picks gives each back end exactly w/gcd. */
    @Property(tries = 200, seed = "1122")
    void roundRobinIsExactOverAFullCycle(@ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 20) Integer> weights,
                                         @ForAll @IntRange(min = 0, max = 1000) int alreadyPicked) {
        int[] w = toArray(weights);
        List<Backend> bs = backends(w.length, new AtomicInteger());
        Picker picker = Algorithms.byName("round-robin").newPicker(BackendSet.of(1, bs, w), null);
        SplittableRandom random = new SplittableRandom(1);
        PickContext ctx = new PickContext(0, NOW, random, Set.of());
        for (int i = 0; i < alreadyPicked; i++) picker.pick(ctx); // any starting point in the cycle

        int g = 0;
        for (int x : w) g = gcd(g, x);
        int cycle = 0;
        for (int x : w) cycle += x / g;
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < cycle; i++) counts.merge(picker.pick(ctx), 1, Integer::sum);
        for (int i = 0; i < w.length; i++) assertThat(counts.getOrDefault(bs.get(i), 0)).as("back end %d of %s", i, weights).isEqualTo(w[i] / g);
    }

    /** Weighted random: every share within 6 binomial standard deviations (plus 0.5 %) of w/W. */
    @Property(tries = 40, seed = "2233")
    void randomPicksInProportionToWeight(@ForAll @Size(min = 2, max = 6) List<@IntRange(min = 1, max = 8) Integer> weights,
                                         @ForAll long seed) {
        int[] w = toArray(weights);
        List<Backend> bs = backends(w.length, new AtomicInteger());
        Picker picker = Algorithms.byName("random").newPicker(BackendSet.of(1, bs, w), null);
        SplittableRandom random = new SplittableRandom(seed);
        int picks = 20_000;
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) counts.merge(picker.pick(new PickContext(0, NOW, random, Set.of())), 1, Integer::sum);
        long total = 0;
        for (int x : w) total += x;
        for (int i = 0; i < w.length; i++) {
            double p = (double) w[i] / total;
            double tolerance = 6 * Math.sqrt(picks * p * (1 - p)) + 0.005 * picks;
            assertThat((double) counts.getOrDefault(bs.get(i), 0)).as("back end %d of %s", i, weights)
                    .isBetween(picks * p - tolerance, picks * p + tolerance);
        }
    }

    /**
     * Power of two choices balances in-flight load per unit of weight, so in a closed loop (each
     * request completes a fixed number of picks later) the picks follow the weights. Generous: within
     * 35 % of the expected share, relative, or 1.5 % of all picks.
     */
    @Property(tries = 30, seed = "3344")
    void powerOfTwoChoicesFollowsWeightsUnderLoad(@ForAll @Size(min = 2, max = 5) List<@IntRange(min = 1, max = 4) Integer> weights,
                                                  @ForAll long seed) {
        int[] w = toArray(weights);
        List<Backend> bs = backends(w.length, new AtomicInteger());
        Picker picker = Algorithms.byName("p2c").newPicker(BackendSet.of(1, bs, w), null);
        SplittableRandom random = new SplittableRandom(seed);
        long total = 0;
        for (int x : w) total += x;
        int concurrency = (int) (8 * total);
        int picks = 20_000;
        Map<Backend, Integer> counts = new HashMap<>();
        Deque<Backend> inFlight = new ArrayDeque<>();
        for (int i = 0; i < picks; i++) {
            Backend b = picker.pick(new PickContext(0, NOW, random, Set.of()));
            counts.merge(b, 1, Integer::sum);
            b.onDispatch();
            inFlight.addLast(b);
            // Complete a random in-flight request: service order does not favour anyone.
            if (inFlight.size() > concurrency) {
                Backend done = random.nextBoolean() ? inFlight.removeFirst() : inFlight.removeLast();
                done.onComplete(true, 1_000_000, NOW);
            }
        }
        for (int i = 0; i < w.length; i++) {
            double expected = picks * (double) w[i] / total;
            double tolerance = Math.max(0.35 * expected, 0.015 * picks);
            assertThat((double) counts.getOrDefault(bs.get(i), 0)).as("back end %d of %s: %s", i, weights, counts.values())
                    .isBetween(expected - tolerance, expected + tolerance);
        }
    }

    /**
     * The invariant of consistent hashing with bounded loads (Mirrokni et al.): when a request is
     * placed and m requests are then in flight in the pool, the back end that got it has at most
     * ceil(c * m * w / W) in flight. Requests are dispatched and, if asked, some complete; c is
     * dyadic so that the bound is computed exactly in integers.
     */
    @Property(tries = 60, seed = "4455")
    void boundedLoadIsNeverExceeded(@ForAll @Size(min = 2, max = 12) List<@IntRange(min = 1, max = 5) Integer> weights,
                                    @ForAll @IntRange(min = 4, max = 8) int loadFactorQuarters,
                                    @ForAll boolean someComplete,
                                    @ForAll long seed) {
        int[] w = toArray(weights);
        AtomicInteger poolInFlight = new AtomicInteger();
        List<Backend> bs = backends(w.length, poolInFlight);
        double c = loadFactorQuarters / 4.0;
        Picker picker = new ConsistentHash("source-hash", c).newPicker(BackendSet.of(1, bs, w), null);
        long totalWeight = 0;
        for (int x : w) totalWeight += x;
        SplittableRandom random = new SplittableRandom(seed);
        List<Backend> dispatched = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            Backend b = picker.pick(new PickContext(random.nextLong(), NOW, random, Set.of()));
            b.onDispatch();
            dispatched.add(b);
            long m = poolInFlight.get();
            int wi = w[bs.indexOf(b)];
            long capacity = ceilDiv(loadFactorQuarters * m * wi, 4 * totalWeight);
            assertThat((long) b.inFlight()).as("pick %d with %d in flight, c = %s, w = %d of %d", i, m, c, wi, totalWeight)
                    .isLessThanOrEqualTo(capacity);
            if (someComplete && random.nextInt(3) == 0) {
                dispatched.remove(random.nextInt(dispatched.size())).onComplete(true, 1_000, NOW);
            }
        }
    }

    static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /**
     * Removing one of N back ends moves only the keys it owned, about 1/N of them. Nothing is in
     * flight, so capacity never binds and every key goes to its ring owner.
     */
    @Property(tries = 60, seed = "5566")
    void removingOneOfNMovesOnlyItsOwnKeys(@ForAll @IntRange(min = 3, max = 20) int n,
                                           @ForAll @IntRange(min = 0, max = 19) int removedSeed,
                                           @ForAll long seed) {
        List<Backend> bs = backends(n, new AtomicInteger());
        Backend removed = bs.get(removedSeed % n);
        List<Backend> rest = new ArrayList<>(bs);
        rest.remove(removed);
        Algorithm hash = Algorithms.byName("uri-hash");
        Picker before = hash.newPicker(BackendSet.of(1, bs), null);
        Picker after = hash.newPicker(BackendSet.of(2, rest), before);

        SplittableRandom random = new SplittableRandom(seed);
        int keys = 4_000, moved = 0;
        for (int i = 0; i < keys; i++) {
            long key = random.nextLong();
            Backend was = before.pick(new PickContext(key, NOW, random, Set.of()));
            Backend is = after.pick(new PickContext(key, NOW, random, Set.of()));
            if (was != is) {
                moved++;
                assertThat(was).as("only keys of the removed back end move").isSameAs(removed);
            } else {
                assertThat(was).isNotSameAs(removed);
            }
        }
        double fraction = (double) moved / keys;
        assertThat(fraction).as("moved with N = %d", n).isBetween(0.5 / n, 2.0 / n);
    }
}
