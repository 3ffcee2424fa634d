package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedRandomTest extends AlgorithmContractTest {
    @Override
    Algorithm algorithm() {
        return Algorithms.byName("random");
    }

    @Test
    void picksInProportionToWeight() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Map<Backend, Integer> counts = countPicks(algorithm().newPicker(BackendSet.of(1, List.of(a, b, c), 1, 2, 7), null), 100_000);
        // binomial standard deviations are ~95, ~126, ~145: 6 sigma margins
        assertThat(counts.get(a)).isBetween(10_000 - 600, 10_000 + 600);
        assertThat(counts.get(b)).isBetween(20_000 - 800, 20_000 + 800);
        assertThat(counts.get(c)).isBetween(70_000 - 900, 70_000 + 900);
    }

    @Test
    void theSameSeedGivesTheSamePicks() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c), 3, 2, 1), null);
        SplittableRandom one = new SplittableRandom(7), two = new SplittableRandom(7);
        for (int i = 0; i < 1_000; i++) {
            assertThat(picker.pick(new PickContext(0, NOW, one, null))).isSameAs(picker.pick(new PickContext(0, NOW, two, null)));
        }
    }
}
