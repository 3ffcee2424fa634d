package io.switchboard.bench;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.balance.Algorithm;
import io.switchboard.balance.Chain;
import io.switchboard.balance.LeastLoad;
import io.switchboard.balance.PickContext;
import io.switchboard.balance.Picker;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    static final long NOW = 1_000_000_000_000L;
    static final long SECOND = 1_000_000_000L;

    Picker picker;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        AtomicInteger poolInFlight = new AtomicInteger();
        List<Backend> list = new ArrayList<>(backends);
        int[] weights = new int[backends];
        for (int i = 0; i < backends; i++) {
            Backend b = new Backend("bench", "b" + i, "10." + (i / 62_500) + "." + (i / 250 % 250) + "." + (i % 250 + 1), 8080,
                    poolInFlight);
            int inFlight = random.nextInt(0, 32);
            for (int k = 0; k < inFlight; k++) b.onDispatch();
            long age = i % 10 == 0 ? 5 * SECOND : random.nextLong(0, SECOND);
            b.loadReport(new LoadReport(NOW - age, 1, random.nextDouble(), random.nextDouble(0, 8), 4, random.nextInt(0, 8),
                    1L << 32, random.nextInt(10, 500), random.nextInt(0, 50), random.nextInt(0, 50), LoadReport.UNKNOWN,
                    LoadReport.UNKNOWN, AgentState.NONE));
            b.addCost(random.nextInt(0, 100));
            list.add(b);
            weights[i] = 1 + random.nextInt(4);
        }
        BackendSet set = BackendSet.of(1, list, weights);
        Algorithm a = switch (algorithm) {
            case "least-load" -> new LeastLoad();
            case "chain" -> new Chain();
            case "chain-sort" -> Chain.of(List.of("by-age 3s", "by-load", "by-log-window", "by-cost"));
            default -> throw new IllegalArgumentException(algorithm);
        };
        picker = a.newPicker(set, null);
    }

    @State(Scope.Thread)
    public static class Requests {
        static final int CONTEXTS = 1024; // a power of two

        final SplittableRandom random = new SplittableRandom(7);
        final PickContext[] contexts = new PickContext[CONTEXTS];
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < CONTEXTS; i++) contexts[i] = new PickContext(random.nextLong(), NOW, random, Set.of());
        }

        PickContext nextContext() {
            return contexts[next++ & (CONTEXTS - 1)];
        }
    }

    @Benchmark
    public Backend pick(Requests requests) {
        return picker.pick(requests.nextContext());
    }
}
