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

    /** Clients without think time facing a farm that refuses everything: time still advances, the run ends. */
    @Test
    void closedLoopAgainstADeadFarmEnds() {
        Scenario s = new Scenario("dead", null, null, Scenario.Kind.TRAFFIC, List.of("round-robin"), 1,
                new Scenario.Traffic(2 * S, 0, S), Scenario.PoolSpec.DEFAULT,
                List.of(new Scenario.ServerGroup("a", 2, 1, 1, 0, new Distribution.Constant(TestScenarios.MS), 0, null)),
                new Scenario.Clients(Scenario.ClientMode.CLOSED, Scenario.Arrivals.POISSON, 0, 3, null), null,
                List.of(new Scenario.TimedEvent(0, "a", Scenario.Action.FAIL, 1)), null, null, null, null);
        RunResult r = Simulator.run(s, 1, 1, d -> {}).get(0);
        assertThat(r.metric("ok")).isLessThanOrEqualTo(3); // the first requests, sent at 0 before the failure
        // each client: one attempt and one retry at 1 ms each, then 1 ms of waiting: about 3 ms per request
        assertThat(r.metric("failed")).isBetween(1500.0, 2100.0);
    }

    /** A server that fails is ejected after three failures in a row; the retry hides the failures from clients. */
    @Test
    void passiveEjectionTakesAFailingServerOut() {
        Scenario s = new Scenario("eject", null, null, Scenario.Kind.TRAFFIC, List.of("round-robin"), 1,
                new Scenario.Traffic(10 * S, 2 * S, S), new Scenario.PoolSpec(0, 3, 60 * S, 300 * S, 100, 1, 3 * S),
                List.of(new Scenario.ServerGroup("a", 3, 1, 4, 1000, new Distribution.Exponential(2 * TestScenarios.MS), 0, null),
                        new Scenario.ServerGroup("b", 1, 1, 4, 1000, new Distribution.Exponential(2 * TestScenarios.MS), 0, null)),
                new Scenario.Clients(Scenario.ClientMode.OPEN, Scenario.Arrivals.POISSON, 4000, 0, null), null,
                List.of(new Scenario.TimedEvent(3 * S, "b", Scenario.Action.FAIL, 1)), null, null, null, null);
        RunResult r = Simulator.run(s, 1, 1, d -> {}).get(0);
        assertThat(r.metric("ejections")).isEqualTo(1);
        assertThat(r.metric("failed")).isZero();
        assertThat(r.metric("failed-attempts")).isBetween(3.0, 10.0);
        // a quarter of the requests for the one measured second before it failed at 3 s, none after
        assertThat(r.metric("share-b")).isBetween(0.025, 0.04);
    }
}
