package io.switchboard.sim;

import io.switchboard.balance.Algorithm;
import io.switchboard.balance.Algorithms;
import io.switchboard.balance.Candidacy;
import io.switchboard.balance.Chain;
import io.switchboard.balance.LeastLoad;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.DoubleConsumer;
import java.util.function.IntConsumer;

/**
 * Runs a scenario: every algorithm at every sweep point (only the scenario as written when it has
 * no sweep), each run on its own engine with its own seeds, derived from the scenario's seed, the
 * point and the algorithm only. So the results are the same whether the runs go one after another
 * or across all cores, and in the same order: by point, then by algorithm as listed.
 *
 * <p>Threading: {@link #run} blocks the caller; with {@code threads > 1} the runs go to a pool of
 * that many threads, each run confined to one. {@code progress} hears of each finished run and,
 * once per simulated interval, of the fraction of all simulated time done, from the runs' threads.
 */
public final class Simulator {
    private Simulator() {}

    /** One run to do: the scenario with its sweep point applied, an algorithm, and where it goes in the results. */
    public record Run(int order, Scenario scenario, String algorithm, double point, long workSeed, long pickSeed) {}

    /** The runs a scenario asks for, in result order. */
    public static List<Run> plan(Scenario scenario, long seed) {
        List<Run> runs = new ArrayList<>();
        List<Double> points = scenario.sweep() == null ? List.of(Double.NaN) : scenario.sweep().values();
        for (int p = 0; p < points.size(); p++) {
            double v = points.get(p);
            Scenario s = Double.isNaN(v) ? scenario : scenario.with(scenario.sweep().key(), v);
            long work = mix(seed + 0x9E3779B97F4A7C15L * (p + 1));
            for (int a = 0; a < scenario.algorithms().size(); a++) {
                long pick = mix(work ^ 0xD1B54A32D192ED03L * (a + 1));
                runs.add(new Run(runs.size(), s, scenario.algorithms().get(a), v, work, pick));
            }
        }
        return runs;
    }

    /** What a long simulation tells its caller while it runs; called from the runs' threads. */
    public interface Progress {
        /** {@code done} runs of {@code total} have finished. */
        void runsDone(int done, int total);

        /** About {@code fraction} (0 to 1) of all the runs' simulated time has passed. */
        default void fraction(double fraction) {}
    }

    /** One run, on the calling thread. */
    public static RunResult run(Run r) {
        return run(r, f -> {});
    }

    /** One run, on the calling thread, telling {@code fraction} how far through its simulated time it is. */
    public static RunResult run(Run r, DoubleConsumer fraction) {
        RunResult result = switch (r.scenario().kind()) {
            case TRAFFIC -> new TrafficEngine(r.scenario(), r.algorithm(), r.workSeed(), r.pickSeed()).onProgress(fraction).run();
            case BALLS_INTO_BINS -> new BinsEngine(r.scenario(), r.algorithm(), r.pickSeed()).run();
        };
        return result.at(r.point());
    }

    /** Every run of the scenario, in plan order; {@code threads} runs at a time. */
    public static List<RunResult> run(Scenario scenario, long seed, int threads, IntConsumer progress) {
        return run(scenario, seed, threads, (done, total) -> progress.accept(done));
    }

    /** Every run of the scenario, in plan order; {@code threads} runs at a time. */
    public static List<RunResult> run(Scenario scenario, long seed, int threads, Progress progress) {
        List<Run> runs = plan(scenario, seed);
        List<RunResult> out = new ArrayList<>(runs.size());
        AtomicInteger done = new AtomicInteger();
        // each run's fraction of its simulated time, as double bits; their mean is the whole's
        AtomicLongArray partial = new AtomicLongArray(runs.size());
        int total = runs.size();
        if (threads <= 1 || runs.size() == 1) {
            for (Run r : runs) {
                out.add(run(r, f -> report(partial, r.order(), f, progress)));
                report(partial, r.order(), 1.0, progress);
                progress.runsDone(done.incrementAndGet(), total);
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, runs.size()), r -> {
            Thread t = new Thread(r, "simulate");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<RunResult>> futures = new ArrayList<>();
            for (Run r : runs) {
                futures.add(pool.submit(() -> {
                    RunResult res = run(r, f -> report(partial, r.order(), f, progress));
                    report(partial, r.order(), 1.0, progress);
                    progress.runsDone(done.incrementAndGet(), total);
                    return res;
                }));
            }
            for (Future<RunResult> f : futures) out.add(f.get());
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void report(AtomicLongArray partial, int run, double fraction, Progress progress) {
        partial.set(run, Double.doubleToRawLongBits(fraction));
        double sum = 0;
        for (int i = 0; i < partial.length(); i++) sum += Double.longBitsToDouble(partial.get(i));
        progress.fraction(sum / partial.length());
    }

    /**
     * The core algorithm a scenario names: a registered name ({@code p2c}), or a candidacy chain
     * with its steps, {@code chain(by-age 3s, by-load)}; least-load takes the pool's report-max-age.
     *
     * @throws IllegalArgumentException naming what is wrong and what is allowed
     */
    public static Algorithm algorithm(String spec, Scenario.PoolSpec pool) {
        String s = spec.trim();
        if (s.startsWith("chain(") && s.endsWith(")")) {
            List<String> words = new ArrayList<>();
            for (String w : s.substring(6, s.length() - 1).split(",")) {
                if (!w.isBlank()) words.add(w.trim());
            }
            if (words.isEmpty()) throw new IllegalArgumentException("chain() needs candidacy steps, e.g. chain(by-age 3s, by-load)");
            return Chain.of(words);
        }
        if (!Algorithms.exists(s)) {
            throw new IllegalArgumentException("unknown algorithm '" + spec + "' (allowed: " + String.join(", ", Algorithms.names())
                    + ", or chain(step, ...) with steps from " + String.join(", ", Candidacy.NAMES) + ")");
        }
        Algorithm a = Algorithms.byName(s);
        if (a instanceof LeastLoad) a = new LeastLoad(Duration.ofNanos(pool.reportMaxAgeNanos()));
        return a;
    }

    /** SplitMix64's finalizer: nearby seeds give unrelated streams. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
