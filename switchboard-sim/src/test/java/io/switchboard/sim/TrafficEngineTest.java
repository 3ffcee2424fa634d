package io.switchboard.sim;

import static io.switchboard.sim.TestScenarios.S;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficEngineTest {
    @Test
    void sameSeedSameResultsAndSweepAcrossThreadsEqualsOneThread() {
        Scenario s = TestScenarios.slowServer(List.of("round-robin", "p2c"), 4 * S);
        s = new Scenario(s.name(), s.title(), s.description(), s.kind(), s.algorithms(), s.seed(), s.traffic(), s.pool(),
                s.servers(), s.clients(), s.workload(), s.events(), s.loadReports(), s.healthChecks(), s.bins(),
                new Scenario.Sweep("clients.rate", List.of(2000.0, 4000.0)));
        List<RunResult> one = Simulator.run(s, 7, 1, done -> {});
        List<RunResult> again = Simulator.run(s, 7, 1, done -> {});
        List<RunResult> parallel = Simulator.run(s, 7, 4, done -> {});
        assertThat(one).hasSize(4);
        for (int i = 0; i < one.size(); i++) {
            assertThat(again.get(i).metrics()).isEqualTo(one.get(i).metrics());
            assertThat(parallel.get(i).metrics()).isEqualTo(one.get(i).metrics());
            assertThat(parallel.get(i).algorithm()).isEqualTo(one.get(i).algorithm());
        }
        List<RunResult> other = Simulator.run(s, 8, 1, done -> {});
        assertThat(other.get(0).metrics()).isNotEqualTo(one.get(0).metrics());
    }

    @Test
    void roundRobinSendsTheSlowServerItsEqualShareAndLoadAwareAlgorithmsDoNot() {
        List<RunResult> r = Simulator.run(TestScenarios.slowServer(List.of("round-robin", "least-conn", "fastest"), 10 * S), 1, 1,
                done -> {});
        double rr = r.get(0).metric("share-slow");
        double lc = r.get(1).metric("share-slow");
        double fastest = r.get(2).metric("share-slow");
        assertThat(rr).isCloseTo(0.10, org.assertj.core.data.Offset.offset(0.005));
        assertThat(lc).isLessThan(0.03);
        assertThat(fastest).isLessThan(lc);
        // arrivals at 5,000/s for 8 measured seconds
        assertThat(r.get(0).metric("requests")).isBetween(38_000.0, 42_000.0);
        assertThat(r.get(1).metric("latency-p99-ms")).isLessThan(r.get(0).metric("latency-p99-ms"));
    }
}
