package io.switchboard.sim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What the clients of one traffic run ask for, drawn from the workload's random stream: the gaps
 * between open-loop arrivals (Poisson or evenly spaced), closed-loop clients' think times, the
 * object a request is for (Zipf popularity) and its affinity hash, and the caching resolver a
 * client asks through.
 *
 * <p>The stream is the engine's, shared with the servers' service times: every draw happens when
 * the engine asks for it, so a run's sequence of draws is the engine's order of events.
 *
 * <p>Threading: confined to one engine's thread.
 */
final class TrafficWorkload {
    private final SplittableRandom work;
    /** Null: requests are for no object in particular. */
    private final double[] zipfCdf;
    private final Distribution think;
    private final boolean closedLoop;
    private final boolean fixedArrivals;
    /** Mean nanoseconds between open-loop arrivals. */
    private final double meanGap;
    /** Cumulative resolver sizes, normalised to 1 (open loop) and as counts (closed loop); null without resolvers. */
    private final double[] resolverCdf;
    private final int[] resolverEnds;

    TrafficWorkload(Scenario scenario, SplittableRandom work) {
        this.work = work;
        zipfCdf = scenario.workload() == null ? null : zipf(scenario.workload());
        think = scenario.clients().think();
        closedLoop = scenario.clients().mode() == Scenario.ClientMode.CLOSED;
        Scenario.Resolvers resolvers = scenario.resolvers();
        if (resolvers != null) {
            int k = resolvers.sizes().size();
            resolverCdf = new double[k];
            resolverEnds = new int[k];
            int sum = 0;
            for (int i = 0; i < k; i++) {
                sum += resolvers.sizes().get(i);
                resolverEnds[i] = sum;
            }
            for (int i = 0; i < k; i++) resolverCdf[i] = (double) resolverEnds[i] / sum;
        } else {
            resolverCdf = null;
            resolverEnds = null;
        }
        fixedArrivals = scenario.clients().arrivals() == Scenario.Arrivals.FIXED;
        meanGap = closedLoop ? 0 : 1e9 / scenario.clients().ratePerSecond();
    }

    /** Nanoseconds to the next open-loop arrival, at least 1. */
    long gap() {
        if (fixedArrivals) return Math.max(1, (long) meanGap);
        return Math.max(1, (long) (meanGap * work.nextExponential()));
    }

    /** A closed-loop client's think time before its next request. */
    long think() {
        Distribution d = think;
        return d == null ? 0 : d.sample(work);
    }

    /** The resolver a request of this client asks through (the scenario has resolvers). */
    int resolver(int client) {
        return closedLoop ? clientResolver(client) : resolverOf(work.nextDouble());
    }

    /** Closed loop: client k belongs to the resolver its index falls to, cycling through the sizes. */
    private int clientResolver(int client) {
        int total = resolverEnds[resolverEnds.length - 1];
        int i = Arrays.binarySearch(resolverEnds, client % total + 1);
        return i >= 0 ? i : -i - 1;
    }

    /** Open loop: a resolver with probability proportional to its size. */
    private int resolverOf(double u) {
        int i = Arrays.binarySearch(resolverCdf, u);
        return Math.min(i >= 0 ? i + 1 : -i - 1, resolverCdf.length - 1);
    }

    /** The object a new request is for; 0, drawing nothing, without a workload. */
    int object() {
        if (zipfCdf == null) return 0;
        double u = work.nextDouble();
        int i = Arrays.binarySearch(zipfCdf, u);
        return i >= 0 ? i : Math.min(-i - 1, zipfCdf.length - 1);
    }

    /** The affinity hash of a request for that object; 0 without a workload. */
    long hash(int object) {
        return zipfCdf == null ? 0 : mix(object);
    }

    private static double[] zipf(Scenario.Workload w) {
        double[] cdf = new double[w.objects()];
        double sum = 0;
        for (int k = 0; k < cdf.length; k++) {
            sum += 1 / Math.pow(k + 1, w.zipf());
            cdf[k] = sum;
        }
        for (int k = 0; k < cdf.length; k++) cdf[k] /= sum;
        return cdf;
    }

    /** The request's affinity hash for an object (SplitMix64's finalizer: neighbours land far apart). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
