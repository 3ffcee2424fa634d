package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PowerOfTwoChoicesTest extends AlgorithmContractTest {
    @Override
    Algorithm algorithm() {
        return Algorithms.byName("p2c");
    }

    @Test
    void ofTwoCandidatesTheLessLoadedWins() {
        Backend busy = backend("busy"), free = backend("free");
        for (int i = 0; i < 10; i++) busy.onDispatch();
        // With two back ends the two choices are always both of them.
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(busy, free)), null);
        for (int i = 0; i < 200; i++) assertThat(picker.pick(context())).isSameAs(free);
        for (int i = 0; i < 10; i++) busy.onComplete(true, LATENCY, NOW);
    }

    @Test
    void theMostLoadedOfManyIsNeverPicked() {
        // It can only win a comparison against itself, and the two choices are distinct.
        Backend a = backend("a"), b = backend("b"), c = backend("c"), d = backend("d");
        for (int i = 0; i < 5; i++) d.onDispatch();
        Map<Backend, Integer> counts = countPicks(algorithm().newPicker(BackendSet.of(1, List.of(a, b, c, d)), null), 5_000);
        assertThat(counts).doesNotContainKey(d).containsKeys(a, b, c);
        for (int i = 0; i < 5; i++) d.onComplete(true, LATENCY, NOW);
    }

    @Test
    void aSingleBackendIsPickedUnlessExcluded() {
        Backend only = backend("only");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(only)), null);
        assertThat(picker.pick(context())).isSameAs(only);
        assertThat(picker.pick(excluding(only))).isNull();
    }
}
