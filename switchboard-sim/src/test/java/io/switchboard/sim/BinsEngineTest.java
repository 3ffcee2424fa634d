package io.switchboard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BinsEngineTest {
    @Test
    void twoChoicesBeatsRandomAtEverySize() {
        List<RunResult> r = Simulator.run(TestScenarios.bins(List.of("random", "p2c"), List.of(1000.0, 10000.0), 5), 1, 1, d -> {});
        for (int i = 0; i < r.size(); i += 2) {
            RunResult random = r.get(i), p2c = r.get(i + 1);
            assertThat(random.algorithm()).isEqualTo("random");
            assertThat(p2c.metric("max-load-mean")).isLessThan(random.metric("max-load-mean"));
            assertThat(p2c.metric("max-load-worst")).isLessThanOrEqualTo(p2c.metric("bound-two-choices") + 2);
            assertThat(random.metric("max-load-mean")).isGreaterThan(random.metric("bound-random"));
        }
    }
}
