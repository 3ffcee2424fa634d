package io.switchboard.bench;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool the pickers' benchmarks run on: {@code n} back ends with requests in flight and weights
 * drawn from a seeded random, and whatever counters a benchmark's algorithms read besides. Drawn in
 * one order for every benchmark (in flight, the benchmark's own, weight), so that a seed gives the
 * same pool from run to run.
 */
final class BenchPool {
    /** The virtual "now" every pick sees; counters were written shortly before it. */
    static final long NOW = 1_000_000_000_000L;

    private BenchPool() {}

    /** What a benchmark gives back end {@code i} besides, from the pool's random. */
    @FunctionalInterface
    interface Load {
        void give(int i, Backend b, SplittableRandom random);
    }

    /** A distinct private address per server, {@code 10.a.b.c} with c from 1 to 250, for up to 16 million. */
    static String address(int i) {
        return "10." + (i / 62_500) + "." + (i / 250 % 250) + "." + (i % 250 + 1);
    }

    /**
     * Back ends b0, b1, ... of pool "bench", every one up, each with 0 to 31 requests in flight and a
     * weight from 1 to 4.
     *
     * @param load gives a back end the benchmark's own counters, from the same random, after its
     *     requests in flight and before its weight
     */
    static BackendSet loaded(int n, SplittableRandom random, Load load) {
        AtomicInteger poolInFlight = new AtomicInteger();
        List<Backend> list = new ArrayList<>(n);
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            Backend b = new Backend("bench", "b" + i, address(i), 8080, poolInFlight);
            int inFlight = random.nextInt(0, 32);
            for (int k = 0; k < inFlight; k++) b.onDispatch();
            load.give(i, b, random);
            list.add(b);
            weights[i] = 1 + random.nextInt(4);
        }
        return BackendSet.of(1, list, weights);
    }
}
