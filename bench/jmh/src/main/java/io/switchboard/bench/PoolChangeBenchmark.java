package io.switchboard.bench;

import io.switchboard.balance.Algorithms;
import io.switchboard.config.AdminState;
import io.switchboard.config.ServerConfig;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import java.util.ArrayList;
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
 * What one change to a large pool costs its writer, per algorithm: the pool's new snapshot and
 * picker built and published ({@link Pool#applyAll}). {@code weight}: an admin weight change of one
 * server; {@code drain}: one server drained or made ready again (the admin API's PATCH state); {@code
 * reload}: a reload of the pool's servers in which one server's weight differs (the registry's
 * reconcile). Each invocation flips the one server back and forth, so every one is a real change.
 *
 * <p>Run: {@code java -jar bench/jmh/target/benchmarks.jar PoolChangeBenchmark -f1 -wi 2 -w 1 -i 3 -r 1}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class PoolChangeBenchmark {
    @Param({"round-robin", "least-conn", "least-traffic", "random", "p2c", "fastest", "source-hash", "uri-hash", "lard", "lard-r",
            "least-load", "chain"})
    public String algorithm;

    @Param({"10000"})
    public int servers;

    Pool pool;
    List<ServerConfig> configA;
    List<ServerConfig> configB;
    String changed;
    int weight;
    boolean flip;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        configA = new ArrayList<>(servers);
        for (int i = 0; i < servers; i++) {
            configA.add(new ServerConfig("s" + i, BenchPool.address(i), 8080, 1 + random.nextInt(4), AdminState.READY));
        }
        int k = servers / 2;
        changed = configA.get(k).name();
        weight = configA.get(k).weight();
        configB = new ArrayList<>(configA);
        ServerConfig s = configA.get(k);
        configB.set(k, new ServerConfig(s.name(), s.host(), s.port(), s.weight() + 1, s.state()));
        pool = new Pool("bench", Algorithms.byName(algorithm), Pool.Settings.defaults());
        pool.applyAll(Origin.FILE, List.of(new Change.Reconcile(configA)));
    }

    @Benchmark
    public Pool.Snapshot weight() {
        flip = !flip;
        return pool.apply(new Change.SetWeight(changed, flip ? weight + 1 : weight));
    }

    @Benchmark
    public Pool.Snapshot drain() {
        flip = !flip;
        return pool.apply(new Change.SetAdmin(changed, flip ? AdminState.DRAIN : AdminState.READY, "bench"));
    }

    @Benchmark
    public Pool.Snapshot reload() {
        flip = !flip;
        return pool.applyAll(Origin.FILE, List.of(new Change.Reconcile(flip ? configB : configA)));
    }
}
