package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.load.WindowedCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastTrafficTest extends AlgorithmContractTest {
    @Override
    Algorithm algorithm() {
        return Algorithms.byName("least-traffic");
    }

    @Test
    void sequentialTrafficWithNoBytesYetTakesTurns() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Map<Backend, Integer> counts = countSequentialPicks(algorithm().newPicker(upSet(1, a, b, c), null), 12);
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of(a, 4, b, 4, c, 4));
    }

    @Test
    void sequentialTrafficWithBytesFollowsTheWeights() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c), 2, 1, 1), null);
        assertThat(countDispatchedPicks(picker, 12, 0)).containsExactlyInAnyOrderEntriesOf(Map.of(a, 6, b, 3, c, 3));
    }

    @Test
    void prefersTheBackendThatMovedFewerBytes() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        a.onBytes(4_000, 6_000, NOW - 1_000);
        b.onBytes(500, 500, NOW - 1_000);
        c.onBytes(2_000, 3_000, NOW - 1_000);
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        for (int i = 0; i < 100; i++) assertThat(picker.pick(context())).isSameAs(b);
    }

    @Test
    void bytesArePerUnitOfWeight() {
        Backend big = backend("big"), small = backend("small");
        big.onBytes(0, 30_000, NOW); // 30000 / 4 = 7500
        small.onBytes(0, 10_000, NOW); // 10000 / 1
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(big, small), 4, 1), null);
        assertThat(picker.pick(context())).isSameAs(big);
    }

    @Test
    void requestsInFlightBreakTiesBeforeTheirBytesAreCounted() {
        Backend a = backend("a"), b = backend("b");
        a.onDispatch();
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b)), null);
        for (int i = 0; i < 50; i++) assertThat(picker.pick(context())).isSameAs(b);
        a.onComplete(true, LATENCY, NOW);
    }

    @Test
    void aWindowThatGoesIdleWhileThePickerLivesCountsNothing() {
        long window = WindowedCounter.DEFAULT_WINDOW_NANOS;
        List<Backend> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Backend b = backend("m" + i);
            b.onBytes(0, 50_000 + i, NOW);
            many.add(b);
        }
        Backend heavy = many.get(17);
        heavy.onBytes(0, 5_000_000, NOW);
        Picker picker = algorithm().newPicker(BackendSet.of(1, many), null);
        assertThat(picker.pick(context())).as("all windows active: the lightest").isSameAs(many.get(0));

        // One window later everyone but heavy got traffic again; heavy's window is idle: 0 bytes.
        long later = NOW + window;
        for (int i = 0; i < many.size(); i++) if (many.get(i) != heavy) many.get(i).onBytes(0, 1_000 + i, later);
        for (int i = 0; i < 20; i++) {
            assertThat(picker.pick(new PickContext(0, later, random, null))).isSameAs(heavy);
        }
        heavy.onBytes(0, 2_000, later); // active again, and now the heaviest of the new window
        assertThat(picker.pick(new PickContext(0, later, random, null))).isNotSameAs(heavy);
        assertThat(picker.pick(new PickContext(0, later + 1, random, null))).isSameAs(many.get(0));
    }

    @Test
    void aBackendNeverWrittenIsIdleAndCountsItsRequestsInFlight() {
        Backend used = backend("used"), fresh = backend("fresh"), other = backend("other");
        used.onBytes(0, 3_000, NOW);
        other.onBytes(0, 3_000, NOW);
        for (int i = 0; i < 3; i++) fresh.onDispatch(); // 3 KiB assumed, 3000 bytes counted elsewhere
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(used, fresh, other)), null);
        for (int i = 0; i < 20; i++) assertThat(picker.pick(context())).isIn(used, other);
        fresh.onComplete(true, LATENCY, NOW);
        for (int i = 0; i < 20; i++) assertThat(picker.pick(context())).isSameAs(fresh);
        fresh.onComplete(true, LATENCY, NOW);
        fresh.onComplete(true, LATENCY, NOW);
    }

    @Test
    void trafficOlderThanTheWindowNoLongerCounts() {
        Backend old = backend("old"), recent = backend("recent");
        old.onBytes(0, 1_000_000, NOW - WindowedCounter.DEFAULT_WINDOW_NANOS - 1);
        recent.onBytes(0, 1_000, NOW - 1);
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(old, recent)), null);
        assertThat(picker.pick(context())).isSameAs(old);
    }
}
