package io.switchboard.bench;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.balance.Algorithm;
import io.switchboard.balance.Algorithms;
import java.util.ArrayList;
import java.util.List;
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
 * The request path's side of the pickers' trees: one dispatch and one completion
 * ({@link Backend#onDispatch()}, {@link Backend#onComplete}) on a back end of a pool whose picker
 * watches its counters. {@code tree=false} takes the watcher away after the picker is built: the
 * same counters and scores without the tree's walk, i.e. the cost before the trees. Run with
 * {@code -t 2} for two event loops updating one tree at once.
 *
 * <p>Run: {@code java -jar bench/jmh/target/benchmarks.jar InFlightBenchmark -f1 -wi 2 -w 1 -i 3 -r 1 -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class InFlightBenchmark {
    @Param({"least-conn", "least-traffic", "fastest"})
    public String algorithm;

    @Param({"100", "10000"})
    public int backends;

    @Param({"true", "false"})
    public boolean tree;

    static final long NOW = 1_000_000_000_000L;

    Backend[] bs;
    /** What the data plane passes: a latency only for the algorithms that read it. */
    long latency;

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
            b.latency().observe(random.nextLong(1_000_000, 50_000_000), NOW - 1_000_000);
            list.add(b);
            weights[i] = 1 + random.nextInt(4);
        }
        Algorithm a = Algorithms.byName(algorithm);
        latency = a.readsLatency() ? 5_000_000 : -1;
        a.newPicker(BackendSet.of(1, list, weights), null);
        if (!tree) for (Backend b : list) b.watch(null);
        bs = list.toArray(Backend[]::new);
    }

    @State(Scope.Thread)
    public static class Cursor {
        final SplittableRandom random = new SplittableRandom(Thread.currentThread().threadId());
        int[] order;
        int next;

        @Setup(Level.Trial)
        public void setUp(InFlightBenchmark bench) {
            order = new int[1024];
            for (int i = 0; i < order.length; i++) order[i] = random.nextInt(bench.bs.length);
        }
    }

    @Benchmark
    public int dispatchAndComplete(Cursor c) {
        Backend b = bs[c.order[c.next++ & 1023]];
        b.onDispatch();
        return b.onComplete(true, latency, NOW);
    }
}
