package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.load.WindowedCounter;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastTrafficTest extends AlgorithmContractTest {
    @Override
    Algorithm algorithm() {
        return Algorithms.byName("least-traffic");
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
    void trafficOlderThanTheWindowNoLongerCounts() {
        Backend old = backend("old"), recent = backend("recent");
        old.onBytes(0, 1_000_000, NOW - WindowedCounter.DEFAULT_WINDOW_NANOS - 1);
        recent.onBytes(0, 1_000, NOW - 1);
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(old, recent)), null);
        assertThat(picker.pick(context())).isSameAs(old);
    }
}
