package io.switchboard.bench;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.balance.Algorithm;
import io.switchboard.balance.Chain;
import io.switchboard.balance.LeastLoad;
import io.switchboard.balance.Picker;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of one {@link Picker#pick} of the load-reading algorithms with agent reports present: every
 * back end has a fresh report (CPU busy, load average, workers) and some cost dispatched since, one
 * in ten a stale one. {@code chain} is the 4-step default, {@code [by-age 3s, by-random,
 * by-log-window, by-load]}; {@code chain-sort} is {@code [by-age 3s, by-load, by-log-window, by-cost]},
 * which sorts the whole list (the case the sampling design avoids).
 *
 * <p>Run: {@code java -jar bench/jmh/target/benchmarks.jar LoadPickBenchmark -f1 -wi 2 -w 1 -i 3 -r 1 -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class LoadPickBenchmark {
    @Param({"least-load", "chain", "chain-sort"})
    public String algorithm;

    @Param({"3", "100", "10000"})
    public int backends;

    static final long NOW = BenchPool.NOW;
    static final long SECOND = 1_000_000_000L;

    Picker picker;

    @Setup(Level.Trial)
    public void setUp() {
        BackendSet set = BenchPool.loaded(backends, new SplittableRandom(42), (i, b, random) -> {
            long age = i % 10 == 0 ? 5 * SECOND : random.nextLong(0, SECOND);
            b.loadReport(new LoadReport(NOW - age, 1, random.nextDouble(), random.nextDouble(0, 8), 4, random.nextInt(0, 8),
                    1L << 32, random.nextInt(10, 500), random.nextInt(0, 50), random.nextInt(0, 50), LoadReport.UNKNOWN,
                    LoadReport.UNKNOWN, AgentState.NONE));
            b.addCost(random.nextInt(0, 100));
        });
        Algorithm a = switch (algorithm) {
            case "least-load" -> new LeastLoad();
            case "chain" -> new Chain();
            case "chain-sort" -> Chain.of(List.of("by-age 3s", "by-load", "by-log-window", "by-cost"));
            default -> throw new IllegalArgumentException(algorithm);
        };
        picker = a.newPicker(set, null);
    }

    @Benchmark
    public Backend pick(PickRequests requests) {
        return picker.pick(requests.nextContext());
    }
}
