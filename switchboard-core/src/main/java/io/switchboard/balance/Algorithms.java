package io.switchboard.balance;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one map of algorithms by config name. No central switch: an algorithm is a final class
 * registered here once.
 */
public final class Algorithms {
    private static final Map<String, Algorithm> BY_NAME = new LinkedHashMap<>();

    static {
        register(new RoundRobin());
        register(new LeastConnections());
        register(new LeastTraffic());
        register(new WeightedRandom());
        register(new PowerOfTwoChoices());
        register(new Fastest());
        register(new ConsistentHash("source-hash", AffinityKey.CLIENT_ADDRESS, ConsistentHash.DEFAULT_LOAD_FACTOR));
        register(new ConsistentHash("uri-hash", AffinityKey.PATH, ConsistentHash.DEFAULT_LOAD_FACTOR));
        register(new Lard());
        register(new LardR());
        register(new LeastLoad());
        register(new Chain());
    }

    private Algorithms() {}

    private static void register(Algorithm a) {
        BY_NAME.put(a.name(), a);
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    public static boolean exists(String name) {
        return BY_NAME.containsKey(name);
    }

    /**
     * The algorithm for a config name. {@code hashLoadFactor} only matters for the consistent-hash
     * algorithms (a new instance is made when it differs from the default).
     */
    public static Algorithm byName(String name, double hashLoadFactor) {
        Algorithm a = BY_NAME.get(name);
        if (a == null) {
            throw new IllegalArgumentException("unknown algorithm '" + name + "' (allowed: " + String.join(", ", BY_NAME.keySet()) + ")");
        }
        if (a instanceof ConsistentHash ch && ch.loadFactor() != hashLoadFactor) {
            return new ConsistentHash(ch.name(), ch.affinityKey(), hashLoadFactor);
        }
        return a;
    }

    /**
     * The algorithm for a config name with its settings: {@code hashLoadFactor} for the
     * consistent-hash algorithms; T_low, T_high and (lard-r) K for the locality-aware ones. A new
     * instance is made only when they differ from the registered one's.
     *
     * @throws IllegalArgumentException for an unknown name or thresholds {@link Lard} refuses
     */
    public static Algorithm byName(String name, double hashLoadFactor, int lardLow, int lardHigh, Duration lardShrinkAfter) {
        Algorithm a = byName(name, hashLoadFactor);
        if (a instanceof Lard l && (l.low() != lardLow || l.high() != lardHigh)) return new Lard(lardLow, lardHigh);
        if (a instanceof LardR r && (r.low() != lardLow || r.high() != lardHigh || !r.shrinkAfter().equals(lardShrinkAfter))) {
            return new LardR(lardLow, lardHigh, lardShrinkAfter);
        }
        return a;
    }

    /**
     * The algorithm for a config name with all its settings: as {@link #byName(String, double, int, int,
     * Duration)}, plus least-load's report-max-age and chain's candidacy words (the default chain when
     * empty). A new instance is made only when they differ from the registered one's.
     *
     * @throws IllegalArgumentException for an unknown name, thresholds or a candidacy word that is refused
     */
    public static Algorithm byName(String name, double hashLoadFactor, int lardLow, int lardHigh, Duration lardShrinkAfter,
                                   Duration reportMaxAge, List<String> candidacy) {
        Algorithm a = byName(name, hashLoadFactor, lardLow, lardHigh, lardShrinkAfter);
        if (a instanceof LeastLoad l && !l.reportMaxAge().equals(reportMaxAge)) return new LeastLoad(reportMaxAge);
        if (a instanceof Chain && candidacy != null && !candidacy.isEmpty()) return Chain.of(candidacy);
        return a;
    }

    public static Algorithm byName(String name) {
        return byName(name, ConsistentHash.DEFAULT_LOAD_FACTOR);
    }
}
