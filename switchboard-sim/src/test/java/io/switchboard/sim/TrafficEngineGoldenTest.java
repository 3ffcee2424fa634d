package io.switchboard.sim;

import static io.switchboard.sim.TestScenarios.MS;
import static io.switchboard.sim.TestScenarios.S;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the exact figures of traffic runs for a fixed seed, so that a change to the engine that moves
 * a single event (its time, its order, a random draw) fails here, not only the statistical tests.
 * The scenarios between them use every kind of event (open and closed loop, fixed and Poisson
 * arrivals, timed failures, recoveries and slow-downs, slow-start and ejection ticks, load reports,
 * health checks, samples) and the workload's caches and resolvers.
 *
 * <p>A deliberate change of the model's output updates the fingerprints below (the failure message
 * shows the new ones).
 */
class TrafficEngineGoldenTest {
    /** Open loop, Poisson; every timed action, slow start, ejection, agents, probes, a cached workload. */
    private static Scenario busy() {
        return new Scenario("golden-busy", null, null, Scenario.Kind.TRAFFIC, List.of("round-robin", "least-load", "p2c"), 1,
                new Scenario.Traffic(6 * S, S, S / 2), new Scenario.PoolSpec(2 * S, 3, S, 10 * S, 50, 1, 3 * S),
                List.of(new Scenario.ServerGroup("a", 4, 2, 4, 32, new Distribution.Exponential(4 * MS), 0,
                                new Scenario.Cache(200, new Distribution.Constant(MS), new Distribution.Exponential(6 * MS))),
                        new Scenario.ServerGroup("b", 2, 1, 2, 8, new Distribution.LogNormal(8 * MS, 1.5), 6, null)),
                new Scenario.Clients(Scenario.ClientMode.OPEN, Scenario.Arrivals.POISSON, 1500, 0, null),
                new Scenario.Workload(2000, 1.0),
                List.of(new Scenario.TimedEvent(2 * S, "b", Scenario.Action.FAIL, 1),
                        new Scenario.TimedEvent(3 * S, "a", Scenario.Action.SLOW, 3.0),
                        new Scenario.TimedEvent(4 * S, "b", Scenario.Action.RECOVER, 1),
                        new Scenario.TimedEvent(5 * S, "a", Scenario.Action.RECOVER, 1)),
                new Scenario.LoadReports(300 * MS), new Scenario.HealthChecks(200 * MS, 2, 2), null, null);
    }

    /** Closed loop with think time behind caching resolvers, and a server that fails for good. */
    private static Scenario resolved() {
        return new Scenario("golden-resolved", null, null, Scenario.Kind.TRAFFIC, List.of("round-robin", "least-conn"), 1,
                new Scenario.Traffic(5 * S, S, S), Scenario.PoolSpec.DEFAULT,
                List.of(new Scenario.ServerGroup("web", 4, 1, 2, 16, new Distribution.Pareto(3 * MS, 2.5), 0, null)),
                new Scenario.Clients(Scenario.ClientMode.CLOSED, Scenario.Arrivals.POISSON, 0, 40, new Distribution.Exponential(20 * MS)),
                null, List.of(new Scenario.TimedEvent(2 * S, "web", Scenario.Action.SLOW, 4.0)), null, null, null, null,
                new Scenario.Resolvers(500 * MS, 2, List.of(20, 5, 1)));
    }

    /** Open loop, evenly spaced arrivals, behind resolvers. */
    private static Scenario fixed() {
        return new Scenario("golden-fixed", null, null, Scenario.Kind.TRAFFIC, List.of("random", "p2c"), 1,
                new Scenario.Traffic(4 * S, S, S), Scenario.PoolSpec.DEFAULT,
                List.of(new Scenario.ServerGroup("web", 3, 1, 3, 4, new Distribution.Exponential(5 * MS), 0, null)),
                new Scenario.Clients(Scenario.ClientMode.OPEN, Scenario.Arrivals.FIXED, 800, 0, null),
                null, List.of(), null, null, null, null, new Scenario.Resolvers(0, 1, List.of(3, 1)));
    }

    @Test
    void anOpenLoopRunWithEveryKindOfEventGivesTheseExactFigures() {
        assertThat(fingerprints(busy(), 11)).containsExactly(
                "round-robin requests=7313 ejections=2 sha256=f12b63620ed6c0102dd8b6d8",
                "least-load requests=7415 ejections=3 sha256=58c6a387d79659a4f82d51fa",
                "p2c requests=7345 ejections=2 sha256=170dd4f3ac820f494014c45e");
    }

    @Test
    void aClosedLoopRunBehindResolversGivesTheseExactFigures() {
        assertThat(fingerprints(resolved(), 12)).containsExactly(
                "round-robin requests=2886 ejections=0 sha256=e31fd3f6eb55a3ca54287a9e",
                "least-conn requests=3811 ejections=0 sha256=f53e8c6d71b6bfd7a0ba9ffc");
    }

    @Test
    void anOpenLoopRunWithFixedArrivalsGivesTheseExactFigures() {
        assertThat(fingerprints(fixed(), 13)).containsExactly(
                "random requests=2400 ejections=0 sha256=ad1aa57ae6a1f3880e22300a",
                "p2c requests=2400 ejections=0 sha256=04ca3ff094f665cbca9f31fd");
    }

    /** Per run: its algorithm, its request count (readable), and a digest of every figure and every sample, bit for bit. */
    private static List<String> fingerprints(Scenario s, long seed) {
        List<String> out = new ArrayList<>();
        for (RunResult r : Simulator.run(s, seed, 1, done -> {})) {
            StringBuilder all = new StringBuilder(r.algorithm());
            for (Map.Entry<String, Double> m : r.metrics().entrySet()) {
                all.append(';').append(m.getKey()).append('=').append(Double.doubleToRawLongBits(m.getValue()));
            }
            all.append('|').append(r.columns());
            for (double[] row : r.series()) {
                all.append('|');
                for (double v : row) all.append(Double.doubleToRawLongBits(v)).append(',');
            }
            out.add(r.algorithm() + " requests=" + (long) r.metric("requests") + " ejections=" + (long) r.metric("ejections")
                    + " sha256=" + sha256(all.toString()));
        }
        return out;
    }

    private static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
