package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.load.PeakEwma;
import io.switchboard.load.WindowedCounter;
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

    /**
     * Least traffic is exact: whatever mix of back ends with active windows, idle windows (also ones
     * that went idle while the picker lived), requests in flight, weights and exclusions, the pick
     * has the least (window bytes + 1 KiB per request in flight) / weight. Ties may go to any of the
     * tied back ends.
     */
    @Property(tries = 200, seed = "6677")
    void leastTrafficPicksTheLeastLoadedExactly(@ForAll @IntRange(min = 1, max = 150) int n,
                                                @ForAll @IntRange(min = 0, max = 3) int idleness,
                                                @ForAll boolean exclude,
                                                @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long window = WindowedCounter.DEFAULT_WINDOW_NANOS;
        List<Backend> bs = backends(n, new AtomicInteger());
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            Backend b = bs.get(i);
            w[i] = 1 + random.nextInt(random.nextBoolean() ? 4 : 256);
            for (int k = random.nextInt(8); k > 0; k--) b.onDispatch();
            // idleness 0: every window active at NOW; higher: more back ends last written up to 2 windows ago.
            if (random.nextInt(8) >= idleness) {
                for (int k = 1 + random.nextInt(5); k > 0; k--) b.onBytes(random.nextLong(0, 5_000), random.nextLong(0, 50_000), NOW - random.nextLong(0, window));
            } else if (random.nextBoolean()) {
                b.onBytes(0, random.nextLong(0, 100_000), NOW - random.nextLong(window, 2 * window));
            }
        }
        Picker picker = Algorithms.byName("least-traffic").newPicker(BackendSet.of(1, bs, w), null);
        for (int pick = 0; pick < 20; pick++) {
            long now = NOW + pick * (window / 8); // windows go idle while the picker lives
            Set<Backend> excluded = exclude ? Set.copyOf(bs.subList(0, random.nextInt(n + 1))) : Set.of();
            Backend picked = picker.pick(new PickContext(0, now, random, excluded));
            double least = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (!excluded.contains(bs.get(i))) least = Math.min(least, trafficCost(bs.get(i), w[i], now));
            }
            if (least == Double.POSITIVE_INFINITY) {
                assertThat(picked).as("every back end excluded").isNull();
                continue;
            }
            assertThat(picked).isNotNull().isNotIn(excluded);
            assertThat(trafficCost(picked, w[bs.indexOf(picked)], now)).as("pick %d at %d", pick, now).isEqualTo(least);
        }
    }

    static double trafficCost(Backend b, int weight, long now) {
        return (b.traffic().sum(now) + 1024.0 * b.inFlight()) / weight;
    }

    /**
     * Fastest is exact: whatever mix of measured back ends (decayed or not), unmeasured idle and busy
     * ones, requests in flight, weights, exclusions, and clocks (also near zero or negative), the
     * pick has the least expected wait: ewma(now) * (inFlight + 1) / weight, with an unmeasured back
     * end costing 0 idle and the penalty busy. Costs are compared as logarithms, equal within a
     * relative 1e-9.
     */
    @Property(tries = 200, seed = "7788")
    void fastestPicksTheCheapestExactly(@ForAll @IntRange(min = 1, max = 150) int n,
                                        @ForAll @IntRange(min = 0, max = 3) int unmeasuredness,
                                        @ForAll @IntRange(min = 0, max = 3) int clock,
                                        @ForAll boolean exclude,
                                        @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long tau = PeakEwma.DEFAULT_DECAY_NANOS;
        long now0 = switch (clock) {
            case 0 -> NOW;
            case 1 -> 2 * tau;          // scores near zero: some differences go negative
            case 2 -> -7 * tau;         // System.nanoTime may be negative
            default -> 1L << 60;        // far from zero
        };
        List<Backend> bs = backends(n, new AtomicInteger());
        int[] w = new int[n];
        long[] sampledAt = new long[n]; // the last sample's time: where the decay starts
        for (int i = 0; i < n; i++) {
            Backend b = bs.get(i);
            w[i] = 1 + random.nextInt(random.nextBoolean() ? 4 : 256);
            if (random.nextInt(8) >= unmeasuredness) {
                int samples = 1 + random.nextInt(4);
                for (int k = 0; k < samples; k++) {
                    long rtt = random.nextInt(50) == 0 ? random.nextLong(1L << 40, 1L << 56) : random.nextLong(100_000, 200_000_000);
                    sampledAt[i] = now0 - random.nextLong(0, 30 * tau);
                    b.latency().observe(rtt, sampledAt[i]);
                }
            }
            for (int k = random.nextInt(6); k > 0; k--) b.onDispatch();
        }
        Picker picker = Algorithms.byName("fastest").newPicker(BackendSet.of(1, bs, w), null);
        for (int pick = 0; pick < 20; pick++) {
            long now = now0 + pick * (tau / 4);
            Set<Backend> excluded = exclude ? Set.copyOf(bs.subList(0, random.nextInt(n + 1))) : Set.of();
            Backend picked = picker.pick(new PickContext(0, now, random, excluded));
            double least = Double.POSITIVE_INFINITY;
            boolean any = false;
            for (int i = 0; i < n; i++) {
                if (excluded.contains(bs.get(i))) continue;
                any = true;
                least = Math.min(least, logFastestCost(bs.get(i), w[i], sampledAt[i], now));
            }
            if (!any) {
                assertThat(picked).as("every back end excluded").isNull();
                continue;
            }
            assertThat(picked).isNotNull().isNotIn(excluded);
            int p = bs.indexOf(picked);
            double got = logFastestCost(picked, w[p], sampledAt[p], now);
            if (least == Double.NEGATIVE_INFINITY) {
                assertThat(got).as("an unmeasured idle back end costs nothing").isEqualTo(least);
            } else {
                assertThat(got).as("pick %d at %d", pick, now).isLessThanOrEqualTo(least + 1e-9 * Math.max(1, Math.abs(least)));
            }
        }
    }

    /** ln(expected wait), from the counters, as the fastest algorithm defines it. */
    static double logFastestCost(Backend b, int weight, long sampledAt, long now) {
        PeakEwma ewma = b.latency();
        int inFlight = b.inFlight();
        if (ewma.sampledCost() == PeakEwma.UNMEASURED) {
            return inFlight > 0 ? Math.log(Fastest.PENALTY_NANOS + inFlight) - Math.log(weight) : Double.NEGATIVE_INFINITY;
        }
        // ln(cost(now)) without exp underflow: ln(max(c, 1 ns)) - (now - sampledAt) / tau once decaying.
        double c = Math.max(ewma.sampledCost(), 1.0);
        double age = Math.max(0, now - sampledAt);
        return Math.log(c) - age / PeakEwma.DEFAULT_DECAY_NANOS + Math.log1p(inFlight) - Math.log(weight);
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

    /**
     * The locality-aware algorithms under membership churn: a pick is never an ineligible or
     * excluded back end, is null only when nothing is left, and (with nothing in flight, so that no
     * server is ever overloaded) a target keeps its back end for as long as that back end stays
     * eligible, through every rebuild of the picker; when it leaves, the target moves for good.
     */
    @Property(tries = 100, seed = "8899")
    void localityAwareTargetsStayOnServersThatStayThroughChurn(@ForAll @IntRange(min = 1, max = 10) int n,
                                                               @ForAll boolean replicated,
                                                               @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Backend> bs = backends(n, new AtomicInteger());
        Algorithm algorithm = Algorithms.byName(replicated ? "lard-r" : "lard");
        Map<Long, Backend> owner = new HashMap<>();
        Picker picker = null;
        for (int version = 1; version <= 30; version++) {
            List<Member> members = new ArrayList<>();
            for (Backend b : bs) {
                int roll = random.nextInt(10);
                if (roll == 0) continue; // not a member in this version
                BackendState state = roll == 1 ? BackendState.DOWN : roll == 2 ? BackendState.DRAIN : BackendState.UP;
                AdminState admin = state == BackendState.DRAIN ? AdminState.DRAIN : AdminState.READY;
                int w = 1 + random.nextInt(3);
                members.add(new Member(b, state, admin, w, w, "churn"));
            }
            BackendSet set = new BackendSet(version, members, AllDownPolicy.FAIL);
            Set<Backend> eligible = Set.copyOf(set.eligibleList());
            picker = algorithm.newPicker(set, picker);
            for (int p = 0; p < 40; p++) {
                long key = random.nextInt(12);
                Set<Backend> excluded = random.nextInt(4) == 0 ? Set.of(bs.get(random.nextInt(n))) : Set.of();
                Backend got = picker.pick(new PickContext(key, NOW, random, excluded));
                boolean anyLeft = eligible.stream().anyMatch(b -> !excluded.contains(b));
                if (!anyLeft) {
                    assertThat(got).isNull();
                    continue;
                }
                assertThat(got).as("version %d, key %d", version, key).isNotNull().isIn(eligible).isNotIn(excluded);
                Backend before = owner.get(key);
                if (before != null && eligible.contains(before) && !excluded.contains(before)) {
                    assertThat(got).as("version %d, key %d stays on its eligible server", version, key).isSameAs(before);
                }
                if (excluded.isEmpty() || before == null || !eligible.contains(before)) owner.put(key, got);
            }
        }
    }
}
