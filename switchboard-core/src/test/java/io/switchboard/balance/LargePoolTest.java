package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What the pickers build for pools of thousands of back ends, where the small-pool ways are too slow. */
class LargePoolTest {
    static final long NOW = 1_000_000_000_000L;

    private final SplittableRandom random = new SplittableRandom(4_12_2026L);

    private static List<Backend> pool(int n) {
        List<Backend> bs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) bs.add(new Backend("big", "b" + i, "10.3." + (i / 250) + "." + (i % 250 + 1), 8080));
        return bs;
    }

    @Test
    void aLargeRoundRobinScheduleGivesEachMemberItsWeightEvenlySpread() {
        int n = 3_000;
        int[] w = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++) total += w[i] = 1 + random.nextInt(8);
        assertThat(n * total).as("large enough for the due-time schedule").isGreaterThan(RoundRobin.EXACT_WORK);
        int[] schedule = RoundRobin.schedule(w);
        assertThat(schedule).hasSize((int) total);
        int[] count = new int[n];
        for (int k = 0; k < schedule.length; k++) {
            int i = schedule[k];
            count[i]++;
            // never ahead of or behind its fair share by more than a slot: no bursts, no gaps
            for (int j : new int[] {i, (i + 1) % n}) {
                double fair = (k + 1.0) * w[j] / total;
                assertThat(Math.abs(count[j] - fair)).as("member %d after %d slots", j, k + 1).isLessThanOrEqualTo(1.0);
            }
        }
        for (int i = 0; i < n; i++) assertThat(count[i]).as("member %d", i).isEqualTo(w[i]);
    }

    @Test
    void theDueTimeScheduleIsSmoothForTheClassicWeights() {
        assertThat(RoundRobin.bySlots(new int[] {5, 1, 1}, 7)).containsExactly(0, 0, 0, 1, 2, 0, 0);
    }

    /** With nothing in flight every back end has room, so a pick is the key's ring owner: the ring itself. */
    private void sameRing(Picker a, Picker b, String what) {
        for (int k = 0; k < 20_000; k++) {
            long h = random.nextLong();
            PickContext ctx = new PickContext(h, NOW, random, Set.of());
            assertThat(a.pick(ctx)).as("%s, key %d", what, k).isSameAs(b.pick(ctx));
        }
    }

    @Test
    void aCarriedRingIsTheRingBuiltFromScratch() {
        int n = 5_000;
        List<Backend> bs = pool(n + 1);
        Backend newcomer = bs.remove(n);
        int[] w = new int[n];
        for (int i = 0; i < n; i++) w[i] = 1 + random.nextInt(8); // ~22,500 x 64 points: over MAX_POINTS, so halved
        Algorithm hash = Algorithms.byName("source-hash");
        Picker first = hash.newPicker(BackendSet.of(1, bs, w), null);

        int[] reweighted = w.clone();
        reweighted[17] = w[17] == 8 ? 1 : w[17] + 1;
        Picker carried = hash.newPicker(BackendSet.of(2, bs, reweighted), first);
        sameRing(carried, hash.newPicker(BackendSet.of(2, bs, reweighted), null), "one weight changed");

        List<Backend> fewer = new ArrayList<>(bs);
        fewer.remove(40);
        int[] fewerW = new int[n - 1];
        for (int i = 0, j = 0; i < n; i++) if (i != 40) fewerW[j++] = reweighted[i];
        Picker drained = hash.newPicker(BackendSet.of(3, fewer, fewerW), carried);
        sameRing(drained, hash.newPicker(BackendSet.of(3, fewer, fewerW), null), "one drained");

        List<Backend> more = new ArrayList<>(fewer);
        more.add(100, newcomer);
        int[] moreW = new int[n];
        for (int i = 0, j = 0; i < n; i++) moreW[i] = i == 100 ? 3 : fewerW[j++];
        Picker added = hash.newPicker(BackendSet.of(4, more, moreW), drained);
        sameRing(added, hash.newPicker(BackendSet.of(4, more, moreW), null), "one added");
    }

    @Test
    void pointsPerWeightHalveInWholeStepsSoOneChangeKeepsTheOthersCounts() {
        int[] w = new int[20_000];
        java.util.Arrays.fill(w, 2); // 40,000 x 64 points: over MAX_POINTS
        int[] before = ConsistentHash.pointsPer(w);
        w[5] = 3;
        int[] after = ConsistentHash.pointsPer(w);
        long total = 0;
        for (int i = 0; i < w.length; i++) {
            total += after[i];
            if (i != 5) assertThat(after[i]).isEqualTo(before[i]);
        }
        assertThat(total).isLessThanOrEqualTo(ConsistentHash.MAX_POINTS);
        assertThat(after[5]).isEqualTo(before[5] / 2 * 3);
    }
}
