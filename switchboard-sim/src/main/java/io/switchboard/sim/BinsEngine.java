package io.switchboard.sim;

import io.switchboard.backend.Backend;
import io.switchboard.balance.PickContext;
import io.switchboard.config.AdminState;
import io.switchboard.config.ServerConfig;
import io.switchboard.dispatch.Outcome;
import io.switchboard.dispatch.PoolDispatch;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Balls into bins with the real pickers: m balls are dispatched one after another into n back ends
 * of a core {@link Pool} with no request ever finishing, so a back end's requests in flight are its
 * load; the figure is the largest load. Random placement gives about ln n / ln ln n (Gonnet 1981,
 * for m = n); two choices ln ln n / ln 2 + O(1) (Azar, Broder, Karlin, Upfal 1994; Mitzenmacher
 * 2001): what the {@code random} and {@code p2c} algorithms do.
 *
 * <p>Threading: confined to the calling thread; one engine per run.
 */
public final class BinsEngine {
    private final Scenario scenario;
    private final String algorithm;
    private final SplittableRandom random;

    public BinsEngine(Scenario scenario, String algorithm, long seed) {
        if (scenario.bins() == null) throw new IllegalArgumentException("a balls-into-bins scenario needs 'bins:'");
        this.scenario = scenario;
        this.algorithm = algorithm;
        this.random = new SplittableRandom(seed);
    }

    public RunResult run() {
        int n = scenario.serverCount();
        Pool pool = new Pool(scenario.name(), Simulator.algorithm(algorithm, scenario.pool()), Pool.Settings.defaults(), () -> 0L, InstantSource.system());
        List<ServerConfig> configs = new ArrayList<>(n);
        int k = 0;
        for (Scenario.ServerGroup g : scenario.servers()) {
            for (int i = 0; i < g.count(); i++) configs.add(new ServerConfig("bin-" + k++, "sim", 80, g.weight(), AdminState.READY));
        }
        pool.applyAll(Origin.FILE, List.of(new Change.Reconcile(configs)));
        PoolDispatch dispatch = new PoolDispatch(pool);
        Backend[] bins = pool.snapshot().backends().eligible();
        long balls = (long) scenario.bins().ballsPerServer() * n;
        int trials = scenario.bins().trials();
        long sumMax = 0;
        int worst = 0;
        for (int t = 0; t < trials; t++) {
            for (long b = 0; b < balls; b++) dispatch.reserve(new PickContext(0, 0, random, null));
            int max = 0;
            for (Backend bin : bins) max = Math.max(max, bin.inFlight());
            sumMax += max;
            worst = Math.max(worst, max);
            for (Backend bin : bins) {
                for (int j = bin.inFlight(); j > 0; j--) dispatch.complete(bin, Outcome.CLIENT_FAULT, -1, 0, 0, 0, null);
            }
        }
        double lnN = Math.log(n);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("servers", (double) n);
        m.put("balls", (double) balls);
        m.put("trials", (double) trials);
        m.put("max-load-mean", (double) sumMax / trials);
        m.put("max-load-worst", (double) worst);
        m.put("bound-random", lnN / Math.log(lnN));
        m.put("bound-two-choices", Math.log(lnN) / Math.log(2));
        return new RunResult(algorithm, m, List.of(), List.of());
    }
}
