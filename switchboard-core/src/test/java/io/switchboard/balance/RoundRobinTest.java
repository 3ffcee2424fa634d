package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinTest extends AlgorithmContractTest {
    @Override
    Algorithm algorithm() {
        return Algorithms.byName("round-robin");
    }

    @Test
    void scheduleForWeights511IsSmooth() {
        // NGINX's smooth weighted round robin: a a b a c a a, not a a a a a b c.
        assertThat(RoundRobin.schedule(new int[] {5, 1, 1})).containsExactly(0, 0, 1, 0, 2, 0, 0);
    }

    @Test
    void picksFollowTheSmoothOrderCycleAfterCycle() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c), 5, 1, 1), null);
        List<Backend> picked = new ArrayList<>();
        for (int i = 0; i < 14; i++) picked.add(picker.pick(context()));
        assertThat(picked).containsExactly(a, a, b, a, c, a, a, a, a, b, a, c, a, a);
    }

    @Test
    void weightsAreReducedByTheirGreatestCommonDivisor() {
        assertThat(RoundRobin.schedule(new int[] {10, 2, 2})).containsExactly(RoundRobin.schedule(new int[] {5, 1, 1}));
        assertThat(RoundRobin.schedule(new int[] {4, 4})).containsExactly(0, 1);
    }

    @Test
    void aHugeScheduleIsScaledDownButKeepsEveryMember() {
        int[] weights = new int[400];
        for (int i = 0; i < weights.length; i++) weights[i] = i == 0 ? 1 : 256; // sum 102145 > 2^16
        int[] schedule = RoundRobin.schedule(weights);
        assertThat(schedule.length).isLessThanOrEqualTo(RoundRobin.MAX_SCHEDULE + weights.length);
        boolean[] present = new boolean[weights.length];
        for (int i : schedule) present[i] = true;
        for (int i = 0; i < present.length; i++) assertThat(present[i]).as("member %d in the schedule", i).isTrue();
    }

    @Test
    void cursorCarriesOverToTheNextPicker() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        BackendSet set = BackendSet.of(1, List.of(a, b, c));
        Picker first = algorithm().newPicker(set, null);
        assertThat(first.pick(context())).isSameAs(a);

        Picker second = algorithm().newPicker(BackendSet.of(2, List.of(a, b, c)), first);
        assertThat(second.pick(context())).as("continues the cycle instead of restarting at a").isSameAs(b);
        assertThat(first.pick(context())).as("the old picker shares the cursor").isSameAs(c);
        assertThat(algorithm().newPicker(set, null).pick(context())).as("a fresh picker starts over").isSameAs(a);
    }

    @Test
    void aRedispatchDoesNotConsumeOtherRequestsSlots() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        assertThat(picker.pick(excluding(a))).isSameAs(b); // slot of a, skipped to b
        assertThat(picker.pick(context())).isSameAs(b);    // the next slot is still b's
        assertThat(picker.pick(context())).isSameAs(c);
    }
}
