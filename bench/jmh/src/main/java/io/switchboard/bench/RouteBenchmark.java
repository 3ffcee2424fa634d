package io.switchboard.bench;

import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteConfig.Match;
import io.switchboard.config.RouteConfig.ValueMatch;
import io.switchboard.route.RouteRequest;
import io.switchboard.route.Router;
import java.util.ArrayList;
import java.util.List;
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
 * Cost of one {@link Router#route} for a request that no route but the final catch-all matches, with
 * the mix of routes {@code bench/run --routes N} generates (exact and wildcard hosts, path prefixes,
 * anchored regexes, a header or a method under a path), and with N routes that only a linear scan can
 * check (a header condition each: the worst case the index cannot help).
 *
 * <p>Run: {@code java -jar bench/jmh/target/benchmarks.jar RouteBenchmark -f1 -wi 2 -w 1 -i 3 -r 1 -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class RouteBenchmark {
    @Param({"1", "1000"})
    public int routes;

    /** {@code mixed}: the kinds bench/run generates; {@code headers}: unindexed routes only. */
    @Param({"mixed", "headers"})
    public String kind;

    Router router;
    final RouteRequest request = new Request("GET", "127.0.0.1:18093", "/", null);

    record Request(String method, String host, String target, byte[] clientAddressBytes) implements RouteRequest {
        @Override
        public String header(String name) {
            return null;
        }

        @Override
        public String cookie(String name) {
            return null;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        RouteAction pool = new RouteAction.Forward("app", null, List.of(), List.of(), null, null);
        List<RouteConfig> list = new ArrayList<>();
        for (int i = 0; i < routes - 1; i++) {
            Match.Builder m = new Match.Builder();
            if (kind.equals("headers")) {
                m.header(new ValueMatch("X-Tier-" + i, RouteConfig.Test.EQUALS, "gold"));
            } else {
                switch (i % 6) {
                    case 0 -> m.hosts("h" + i + ".example.com");
                    case 1 -> m.hosts("*.w" + i + ".example.com");
                    case 2 -> m.pathPrefix("/p" + i + "/");
                    case 3 -> m.pathRegex("^/x" + i + "/[a-z]+\\.png$");
                    case 4 -> m.pathPrefix("/h" + i + "/").header(new ValueMatch("X-Tier", RouteConfig.Test.EQUALS, "gold"));
                    default -> m.path("/m" + i).methods("POST", "PUT");
                }
            }
            list.add(new RouteConfig("r" + i, m.build(), pool));
        }
        list.add(new RouteConfig("all", Match.ANY, pool));
        router = new Router("app", list);
    }

    @Benchmark
    public Object route() {
        Router.Decision d = router.route(request);
        return d.action();
    }
}
