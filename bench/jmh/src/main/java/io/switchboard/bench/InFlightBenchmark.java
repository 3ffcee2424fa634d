package io.switchboard.bench;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.balance.Algorithm;
import io.switchboard.balance.Algorithms;
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

    static final long NOW = BenchPool.NOW;

    Backend[] bs;
    /** What the data plane passes: a latency only for the algorithms that read it. */
    long latency;

    @Setup(Level.Trial)
    public void setUp() {
        BackendSet set = BenchPool.loaded(backends, new SplittableRandom(42),
                (i, b, random) -> b.latency().observe(random.nextLong(1_000_000, 50_000_000), NOW - 1_000_000));
        Algorithm a = Algorithms.byName(algorithm);
        latency = a.readsLatency() ? 5_000_000 : -1;
        a.newPicker(set, null);
        bs = set.eligible().clone(); // every back end, in order: all are up
        if (!tree) for (Backend b : bs) b.watch(null);
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
