package io.switchboard.bench;

import io.switchboard.sim.Distribution;
import io.switchboard.sim.Scenario;
import io.switchboard.sim.TrafficEngine;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Simulated requests per second of wall time on one core (issue #18's goal: 10 million for round
 * robin and p2c at 1,000 servers). One invocation simulates one second of a farm of 1,000 servers
 * (4 worker slots each, exponential service of mean 1 ms) under 2.5 million evenly spaced
 * requests per second: 62.5 % utilisation, about 2,500 requests in flight, exactly {@value #REQUESTS}
 * requests, each through the real {@code PoolDispatch.reserve} (pool pick, back-end in-flight
 * accounting) and {@code PoolDispatch.complete}. The score is in requests per second.
 *
 * <p>Run: {@code java -jar bench/jmh/target/benchmarks.jar SimulatorBenchmark -f1 -wi 2 -i 5}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class SimulatorBenchmark {
    static final int REQUESTS = 2_499_999;
    static final long SECOND = 1_000_000_000L;

    @Param({"round-robin", "p2c"})
    public String algorithm;

    @Param({"1000"})
    public int servers;

    Scenario scenario;

    @Setup
    public void setUp() {
        scenario = new Scenario("bench", "bench", null, Scenario.Kind.TRAFFIC, List.of(algorithm), 1,
                new Scenario.Traffic(SECOND, 0, SECOND), Scenario.PoolSpec.DEFAULT,
                List.of(new Scenario.ServerGroup("s", servers, 1, 4, 1000, new Distribution.Exponential(1_000_000), 0, null)),
                new Scenario.Clients(Scenario.ClientMode.OPEN, Scenario.Arrivals.FIXED, 2_500_000, 0, null), null, List.of(),
                null, null, null, null);
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public double simulateOneSecond() {
        return new TrafficEngine(scenario, algorithm, 1, 2).run().metric("requests");
    }
}
