package io.switchboard.sim;

import java.util.List;

/** Small scenarios built in code, for engine tests (the shipped files are tested in switchboard-app). */
final class TestScenarios {
    private TestScenarios() {}

    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    /** Nine fast servers and one ten times slower, open-loop Poisson traffic at about 70 % of capacity. */
    static Scenario slowServer(List<String> algorithms, long durationNanos) {
        return new Scenario("slow", "slow server", null, Scenario.Kind.TRAFFIC, algorithms, 1,
                new Scenario.Traffic(durationNanos, durationNanos / 5, S), Scenario.PoolSpec.DEFAULT,
                List.of(new Scenario.ServerGroup("fast", 9, 1, 4, 64, new Distribution.Exponential(5 * MS), 0, null),
                        new Scenario.ServerGroup("slow", 1, 1, 4, 64, new Distribution.Exponential(50 * MS), 0, null)),
                new Scenario.Clients(Scenario.ClientMode.OPEN, Scenario.Arrivals.POISSON, 5000, 0, null), null, List.of(),
                null, null, null, null);
    }

    static Scenario bins(List<String> algorithms, List<Double> servers, int trials) {
        return new Scenario("bins", "balls into bins", null, Scenario.Kind.BALLS_INTO_BINS, algorithms, 1, null, null,
                List.of(new Scenario.ServerGroup("bin", 1000, 1, 1, 0, new Distribution.Constant(0), 0, null)), null, null,
                List.of(), null, null, new Scenario.Bins(1, trials), new Scenario.Sweep("servers", servers));
    }
}
