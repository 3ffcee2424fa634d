package io.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random views, address lists, preferences, previous assignments and sequences of view changes:
 * every result holds each address exactly once, is balanced, is the same whatever the iteration
 * order of the previous map, is its own fixed point, and moves only what a join or leave requires.
 */
class VipAssignmentProperties {
    static final Duration MATURITY = Duration.ofSeconds(10);
    static final long NOW = 1_000_000;
    static final long[] JOIN_TIMES = {0, NOW - 20_000, NOW - 5_000, NOW - 1};

    record Scenario(List<ClusterMember> view, List<String> vips, Map<String, String> previous, SplittableRandom rnd) {}

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    static Scenario scenario(long seed, boolean preferences) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String> vips = new ArrayList<>();
        int n = rnd.nextInt(0, 11);
        for (int i = 0; i < n; i++) {
            vips.add("10.0.0." + (i + 1));
        }
        List<String> ids = new ArrayList<>(List.of("n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"));
        shuffle(ids, rnd);
        int k = rnd.nextInt(1, 7);
        List<ClusterMember> view = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            view.add(member(ids.get(i), rnd, vips, preferences));
        }
        Map<String, String> previous = new HashMap<>();
        for (String vip : vips) {
            if (rnd.nextInt(4) != 0) {
                previous.put(vip, ids.get(rnd.nextInt(ids.size())));
            }
        }
        return new Scenario(view, vips, previous, rnd);
    }

    static ClusterMember member(String id, SplittableRandom rnd, List<String> vips, boolean preferences) {
        List<String> preferred = new ArrayList<>();
        if (preferences && rnd.nextBoolean()) {
            int wanted = rnd.nextInt(0, 4);
            for (int j = 0; j < wanted; j++) {
                preferred.add(vips.isEmpty() || rnd.nextInt(5) == 0 ? "192.0.2.9" : vips.get(rnd.nextInt(vips.size())));
            }
        }
        return new ClusterMember(id, JOIN_TIMES[rnd.nextInt(JOIN_TIMES.length)], preferred);
    }

    static <T> void shuffle(List<T> list, SplittableRandom rnd) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, rnd.nextInt(i + 1));
        }
    }

    static Map<String, String> assign(List<ClusterMember> view, List<String> vips, Map<String, String> previous) {
        return VipAssignment.assign(view, vips, previous, NOW, MATURITY);
    }

    /** Exactly one eligible holder per address, balanced counts, ineligible members hold nothing. */
    static void assertWellFormed(List<ClusterMember> view, List<String> vips, Map<String, String> result) {
        assertThat(result.keySet()).containsExactlyElementsOf(vips);
        List<ClusterMember> eligible = VipAssignment.eligible(view, NOW, MATURITY);
        Map<String, Integer> counts = new HashMap<>();
        eligible.forEach(m -> counts.put(m.id(), 0));
        result.values().forEach(holder -> {
            assertThat(counts).as("holder %s must be an eligible member of the view", holder).containsKey(holder);
            counts.merge(holder, 1, Integer::sum);
        });
        int min = Collections.min(counts.values());
        int max = Collections.max(counts.values());
        assertThat(max - min).as("counts %s", counts).isLessThanOrEqualTo(1);
    }

    @Property(tries = 500, seed = "1701")
    void everyAddressHeldOnceAndBalanced(@ForAll("seeds") long seed) {
        Scenario s = scenario(seed, true);
        assertWellFormed(s.view(), s.vips(), assign(s.view(), s.vips(), s.previous()));
    }

    @Property(tries = 300, seed = "1702")
    void sameResultWhateverTheMapIterationOrder(@ForAll("seeds") long seed) {
        Scenario s = scenario(seed, true);
        Map<String, String> expected = assign(s.view(), s.vips(), s.previous());
        List<String> keys = new ArrayList<>(s.previous().keySet());
        shuffle(keys, s.rnd());
        Map<String, String> shuffled = new LinkedHashMap<>();
        keys.forEach(key -> shuffled.put(key, s.previous().get(key)));
        assertThat(assign(s.view(), s.vips(), shuffled)).isEqualTo(expected);
        assertThat(assign(s.view(), s.vips(), new TreeMap<>(s.previous()))).isEqualTo(expected);
        assertThat(assign(List.copyOf(s.view()), List.copyOf(s.vips()), s.previous())).isEqualTo(expected);
    }

    @Property(tries = 500, seed = "1703")
    void resultIsItsOwnFixedPoint(@ForAll("seeds") long seed) {
        Scenario s = scenario(seed, true);
        Map<String, String> once = assign(s.view(), s.vips(), s.previous());
        assertThat(assign(s.view(), s.vips(), once)).isEqualTo(once);
    }

    @Property(tries = 500, seed = "1704")
    void leavingMemberMovesOnlyItsOwnAddresses(@ForAll("seeds") long seed) {
        Scenario s = scenario(seed, false);
        Map<String, String> before = assign(s.view(), s.vips(), s.previous());
        List<ClusterMember> after = new ArrayList<>(s.view());
        ClusterMember leaver = after.remove(s.rnd().nextInt(after.size()));
        Map<String, String> result = assign(after, s.vips(), before);
        assertWellFormedUnlessEmpty(after, s.vips(), result);
        before.forEach((vip, holder) -> {
            if (!holder.equals(leaver.id())) {
                assertThat(result).as("%s left", leaver.id()).containsEntry(vip, holder);
            }
        });
    }

    @Property(tries = 500, seed = "1705")
    void joiningMemberTakesAtMostItsShareAndNothingElseMoves(@ForAll("seeds") long seed) {
        Scenario s = scenario(seed, false);
        Map<String, String> before = assign(s.view(), s.vips(), s.previous());
        List<ClusterMember> after = new ArrayList<>(s.view());
        ClusterMember joiner = member("joiner", s.rnd(), s.vips(), false);
        after.add(s.rnd().nextInt(after.size() + 1), joiner);
        Map<String, String> result = assign(after, s.vips(), before);
        assertWellFormed(after, s.vips(), result);
        int k = VipAssignment.eligible(after, NOW, MATURITY).size();
        int share = (s.vips().size() + k - 1) / k;
        long taken = result.values().stream().filter(joiner.id()::equals).count();
        assertThat(taken).isLessThanOrEqualTo(share);
        result.forEach((vip, holder) -> {
            if (!holder.equals(before.get(vip))) {
                assertThat(holder).as("%s moved to someone other than the joiner", vip).isEqualTo(joiner.id());
            }
        });
    }

    /**
     * A member that prefers an address and does not hold it either lost it to an earlier member of
     * the view that prefers it too, or was already full (at least its base share) with addresses it
     * prefers more.
     */
    @Property(tries = 500, seed = "1706")
    void preferenceHonouredUnlessBalanceOrAnEarlierMemberForbids(@ForAll("seeds") long seed) {
        Scenario s = scenario(seed, true);
        Map<String, String> result = assign(s.view(), s.vips(), s.previous());
        List<ClusterMember> eligible = VipAssignment.eligible(s.view(), NOW, MATURITY);
        int base = s.vips().size() / eligible.size();
        for (ClusterMember m : eligible) {
            List<String> mine = result.entrySet().stream()
                    .filter(e -> e.getValue().equals(m.id()))
                    .map(Map.Entry::getKey)
                    .toList();
            for (String vip : m.preferredVips()) {
                String holder = result.get(vip);
                if (holder == null || holder.equals(m.id())) {
                    continue;
                }
                ClusterMember other = eligible.stream().filter(e -> e.id().equals(holder)).findFirst().orElseThrow();
                boolean earlierClaim = eligible.indexOf(other) < eligible.indexOf(m) && other.preferredVips().contains(vip);
                int rank = m.preferredVips().indexOf(vip);
                boolean fullWithBetter = mine.size() >= base
                        && mine.stream().allMatch(held -> {
                            int r = m.preferredVips().indexOf(held);
                            return r >= 0 && r < rank;
                        });
                assertThat(earlierClaim || fullWithBetter)
                        .as("%s prefers %s but %s holds it; %s holds %s, base %d", m.id(), vip, holder, m.id(), mine, base)
                        .isTrue();
            }
        }
    }

    @Property(tries = 200, seed = "1707")
    void sequencesOfViewChangesStayWellFormedAndStable(@ForAll("seeds") long seed) {
        Scenario s = scenario(seed, true);
        List<ClusterMember> view = new ArrayList<>(s.view());
        Map<String, String> current = assign(view, s.vips(), s.previous());
        int nextId = 0;
        for (int step = 0; step < 20; step++) {
            if (view.size() > 1 && s.rnd().nextBoolean()) {
                view.remove(s.rnd().nextInt(view.size()));
            } else {
                view.add(s.rnd().nextInt(view.size() + 1), member("j" + nextId++, s.rnd(), s.vips(), true));
            }
            current = assign(view, s.vips(), current);
            assertWellFormed(view, s.vips(), current);
            assertThat(assign(view, s.vips(), current)).isEqualTo(current);
        }
    }

    static void assertWellFormedUnlessEmpty(List<ClusterMember> view, List<String> vips, Map<String, String> result) {
        if (view.isEmpty()) {
            assertThat(result).isEmpty();
        } else {
            assertWellFormed(view, vips, result);
        }
    }
}
