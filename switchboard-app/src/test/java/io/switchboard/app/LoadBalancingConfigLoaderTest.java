package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.balance.Chain;
import io.switchboard.balance.LeastLoad;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.RouteAction;
import io.switchboard.registry.Pool;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pools' {@code candidacy} and {@code report-max-age}, routes' {@code cost}, in ConfigLoaderTest's style. */
class LoadBalancingConfigLoaderTest {
    private static final String FILE = "switchboard.yaml";
    private static final String POOLS = """
            pools:
              app:
                algorithm: least-load
                servers:
                  - { name: a, address: 127.0.0.1:9001 }
              rr:
                servers:
                  - { name: s, address: 127.0.0.1:9002 }
            """;

    private static LoadedConfig load(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, FILE, null);
    }

    /** Line 1 is "listeners:", the routes start on line 5. */
    private static LoadedConfig routes(String routes) throws ConfigException {
        return load(ConfigText.withRoutes(routes, POOLS));
    }

    private static String pool(String keys) {
        return ConfigText.ONE_SERVER + keys.indent(4);
    }

    @Test
    void aChainsCandidacyIsReadAndBuilt() throws Exception {
        LoadedConfig c = load(pool("""
                algorithm: chain
                candidacy: [by-age 2s, by-random, by-log-window, by-load]
                """));
        assertThat(c.warnings()).isEmpty();
        PoolConfig p = c.config().pools().get("app");
        assertThat(p.candidacy()).containsExactly("by-age 2s", "by-random", "by-log-window", "by-load");
        assertThat(Pool.algorithmOf(p)).isInstanceOfSatisfying(Chain.class,
                ch -> assertThat(ch).hasToString("chain [by-age 2s, by-random, by-log-window, by-load]"));
    }

    @Test
    void leastLoadsReportMaxAgeIsReadAndBuilt() throws Exception {
        PoolConfig p = load(pool("""
                algorithm: least-load
                report-max-age: 5s
                """)).config().pools().get("app");
        assertThat(p.reportMaxAge()).isEqualTo(Duration.ofSeconds(5));
        assertThat(Pool.algorithmOf(p)).isInstanceOfSatisfying(LeastLoad.class,
                l -> assertThat(l.reportMaxAge()).isEqualTo(Duration.ofSeconds(5)));
        assertThat(load(pool("algorithm: least-load\n")).config().pools().get("app").reportMaxAge()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aBadCandidacyFunctionIsAnErrorAtItsLineWithTheAllowedOnes() {
        assertThat(ConfigText.errors(() -> load(pool("""
                algorithm: chain
                candidacy:
                  - by-age 3s
                  - by-lod
                  - by-age
                  - by-random now
                """)))).containsExactly(
                "switchboard.yaml:12: pools.app.candidacy[1]: unknown candidacy function 'by-lod', did you mean 'by-load'?"
                        + " (allowed: by-age, by-load, by-cpu, by-busy-workers, by-cost, by-random, by-log-window, by-tag)",
                "switchboard.yaml:13: pools.app.candidacy[2]: by-age needs a duration, e.g. 'by-age 3s'",
                "switchboard.yaml:14: pools.app.candidacy[3]: by-random takes no argument (found 'now')");
    }

    @Test
    void settingsForAnotherAlgorithmAreWarnings() throws Exception {
        assertThat(load(pool("""
                candidacy: [by-load]
                report-max-age: 2s
                """)).warnings()).map(ConfigProblem::toString).containsExactly(
                "switchboard.yaml:9: warning: pools.app.candidacy: only used by chain; ignored with round-robin",
                "switchboard.yaml:10: warning: pools.app.report-max-age: only used by least-load; ignored with round-robin"
                        + " (chain has its own: by-age <duration>)");
    }

    @Test
    void aRoutesCostIsRead() throws Exception {
        LoadedConfig c = routes("""
                  - match: {path-prefix: /cgi-bin/}
                    pool: app
                    cost: 10
                  - pool: app
                """);
        assertThat(c.warnings()).map(ConfigProblem::toString).noneMatch(w -> w.contains("cost"));
        assertThat(c.config().listeners().get(0).routes()).extracting(r -> ((RouteAction.Forward) r.action()).cost())
                .containsExactly(10, 1);
    }

    @Test
    void aBadCostIsAnErrorAndACostForAPoolThatDoesNotReadLoadAWarning() throws Exception {
        assertThat(ConfigText.errors(() -> routes("""
                  - pool: app
                    cost: 0
                """))).singleElement().asString().startsWith("switchboard.yaml:6: listeners[0].routes[0].cost:");
        assertThat(routes("""
                  - pool: rr
                    cost: 5
                """).warnings()).map(ConfigProblem::toString).containsExactly("switchboard.yaml:6: warning:"
                + " listeners[0].routes[0].cost: only used by least-load and chain; pool 'rr' uses round-robin, so it is ignored");
    }
}
