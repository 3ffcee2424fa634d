package io.switchboard.bench;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.balance.Algorithms;
import io.switchboard.balance.Picker;
import java.util.Arrays;
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
 * Cost of one {@link Picker#pick} on the request path, per algorithm and pool size.
 *
 * <p>The back ends carry realistic live counters (requests in flight, bytes in the traffic window,
 * a peak-EWMA latency) so that the load-aware algorithms do their real work; the counters are not
 * changed while measuring, so every algorithm sees the same steady state. Contexts are built in
 * setup and cycled, so the benchmark itself allocates nothing and {@code gc.alloc.rate.norm} is the
 * picker's own allocation.
 *
 * <p>Run: {@code java -jar bench/jmh/target/benchmarks.jar -f1 -wi 2 -w 1 -i 3 -r 1 -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class PickBenchmark {
    /** Keep in step with {@link Algorithms#names()}; {@link #setUp} fails when one is missing. */
    @Param({"round-robin", "least-conn", "least-traffic", "random", "p2c", "fastest", "source-hash", "uri-hash", "lard", "lard-r",
            "least-load", "chain"})
    public String algorithm;

    @Param({"3", "100", "10000"})
    public int backends;

    /** The virtual "now" every pick sees; counters were written shortly before it. */
    static final long NOW = BenchPool.NOW;

    Picker picker;

    @Setup(Level.Trial)
    public void setUp() throws NoSuchFieldException {
        List<String> benchmarked = Arrays.asList(PickBenchmark.class.getField("algorithm").getAnnotation(Param.class).value());
        if (!benchmarked.containsAll(Algorithms.names())) {
            throw new IllegalStateException("PickBenchmark misses algorithms: benchmarked " + benchmarked
                    + ", registered " + Algorithms.names());
        }
        // A loaded pool: a few requests in flight, traffic over the last seconds, latencies of 1-50 ms.
        BackendSet set = BenchPool.loaded(backends, new SplittableRandom(42), (i, b, random) -> {
            for (int k = 0; k < 20; k++) {
                long at = NOW - random.nextLong(0, 5_000_000_000L);
                b.onBytes(random.nextLong(200, 20_000), random.nextLong(500, 200_000), at);
            }
            long at = NOW - 3_000_000_000L;
            for (int k = 0; k < 20; k++) {
                at += random.nextLong(1_000_000, 100_000_000);
                b.latency().observe(random.nextLong(1_000_000, 50_000_000), at);
            }
        });
        picker = Algorithms.byName(algorithm).newPicker(set, null);
    }

    @Benchmark
    public Backend pick(PickRequests requests) {
        return picker.pick(requests.nextContext());
    }
}
