package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.switchboard.config.DurationSyntax;
import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteConfig.Counter;
import io.switchboard.config.RouteConfig.StickCounter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code stick-counter} route condition in the config file, in RouteConfigLoaderTest's style. */
class StickCounterConfigLoaderTest {
    private static final String FILE = "switchboard.yaml";
    private static final String POOLS = """
            pools:
              app:
                persistence:
                  stick: {on: "header:X-User"}
                servers:
                  - { name: a, address: 127.0.0.1:9001 }
              shop:
                persistence:
                  app-cookie: {name: JSESSIONID}
                servers:
                  - { name: s, address: 127.0.0.1:9002 }
              static:
                persistence:
                  cookie: {name: SRV}
                servers:
                  - { name: t, address: 127.0.0.1:9003 }
              plain:
                servers:
                  - { name: p, address: 127.0.0.1:9004 }
            """;

    /** Line 1 is "listeners:", the routes start on line 5. */
    private static LoadedConfig load(String routes) throws ConfigException {
        return ConfigLoader.parse(ConfigText.withRoutes(routes, POOLS), FILE, null);
    }

    private static List<String> errors(String routes) {
        return ConfigText.errors(() -> load(routes));
    }

    private static List<RouteConfig> routes(String yaml) throws ConfigException {
        return load(yaml).config().listeners().get(0).routes();
    }

    @Test
    void aConditionOrAListOfThemIsRead() throws Exception {
        List<RouteConfig> rs = routes("""
                  - name: too-fast
                    match:
                      stick-counter: {pool: app, counter: request-rate, above: 100}
                    respond: {status: 429, body: "slow down", retry-after: 10s}
                  - name: heavy
                    match:
                      path-prefix: /api/
                      stick-counter:
                        - {pool: shop, counter: errors, above: 0}
                        - {pool: app, counter: connections, above: 5}
                      not: {stick-counter: {pool: app, counter: requests, above: 1000}}
                    pool: plain
                """);
        assertThat(rs.get(0).match().stickCounters()).containsExactly(new StickCounter("app", Counter.REQUEST_RATE, 100));
        assertThat(rs.get(0).action()).isEqualTo(new RouteAction.Respond(429, "slow down", 10));
        assertThat(rs.get(1).match().stickCounters())
                .containsExactly(new StickCounter("shop", Counter.ERRORS, 0), new StickCounter("app", Counter.CONNECTIONS, 5));
        assertThat(rs.get(1).match().not().stickCounters()).containsExactly(new StickCounter("app", Counter.REQUESTS, 1000));
    }

    @Test
    void badConditionsAreErrorsWithFileLineAndKey() {
        assertThat(errors("""
                  - match: {stick-counter: {pool: ap, counter: request-rate, above: 1}}
                    deny: true
                  - match: {stick-counter: {pool: static, counter: request-rate, above: 1}}
                    deny: true
                  - match: {stick-counter: {pool: app, counter: reqest-rate, above: 1}}
                    deny: true
                  - match: {stick-counter: {pool: app, counter: errors, above: -1}}
                    deny: true
                  - match: {stick-counter: {pool: app, counter: errors, above: 1.5}}
                    deny: true
                  - match: {stick-counter: {pool: app, counter: errors}}
                    deny: true
                  - match: {stick-counter: app}
                    deny: true
                """)).containsExactly(
                "switchboard.yaml:5: listeners[0].routes[0].match.stick-counter.pool: no pool named 'ap', did you mean 'app'?"
                        + " (pools: app, shop, static, plain)",
                "switchboard.yaml:7: listeners[0].routes[1].match.stick-counter.pool: pool 'static' keeps no stick table, so it has"
                        + " no counters (a pool with persistence stick or app-cookie has one; pools with one: app, shop)",
                "switchboard.yaml:9: listeners[0].routes[2].match.stick-counter.counter: unknown counter 'reqest-rate', did you mean"
                        + " 'request-rate'? (allowed: request-rate, connection-rate, errors, requests, connections)",
                "switchboard.yaml:11: listeners[0].routes[3].match.stick-counter.above: -1 is out of range (allowed: 0 or more)",
                "switchboard.yaml:13: listeners[0].routes[4].match.stick-counter.above: '1.5' is not a whole number"
                        + " (allowed: 0 or more; rates are per 10 s)",
                "switchboard.yaml:15: listeners[0].routes[5].match.stick-counter.above: required key is missing (a whole number, 0 or more)",
                "switchboard.yaml:17: listeners[0].routes[6].match.stick-counter: expected {pool: ..., counter: ..., above: ...};"
                        + " found a value");
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUpAndMoreThanZero() throws Exception {
        List<RouteConfig> rs = routes("""
                  - match: {path: /a}
                    respond: {status: 503, retry-after: 1500ms}
                  - match: {path: /b}
                    respond: {status: 410}
                """);
        assertThat(rs).extracting(r -> ((RouteAction.Respond) r.action()).retryAfterSeconds()).containsExactly(2L, 0L);
        assertThat(rs.get(0).action()).hasToString("respond 503 retry-after 2s");
        assertThat(errors("""
                  - match: {path: /a}
                    respond: {status: 429, retry-after: 0}
                  - match: {path: /b}
                    respond: {status: 429, retry-after: 10}
                """)).containsExactly(
                "switchboard.yaml:6: listeners[0].routes[0].respond.retry-after: '0' must be more than 0",
                "switchboard.yaml:8: listeners[0].routes[1].respond.retry-after: " + durationError("10"));
    }

    private static String durationError(String text) {
        try {
            DurationSyntax.parse(text);
            throw new AssertionError(text + " was accepted");
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Test
    void aPoolWithoutPersistenceIsNamedAndNoTableAnywhereIsSaid() {
        assertThat(errors("""
                  - match: {stick-counter: {pool: plain, counter: requests, above: 1}}
                    deny: true
                """)).singleElement().asString().contains("pool 'plain' keeps no stick table");
        String yaml = "listeners:\n  - port: 8080\n    default-pool: app\n    routes:\n"
                + "      - match: {stick-counter: {pool: app, counter: requests, above: 1}}\n        deny: true\n"
                + "pools:\n  app:\n    servers:\n      - { name: a, address: 127.0.0.1:9001 }\n";
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, FILE, null));
        assertThat(e.problems().stream().map(ConfigProblem::toString).toList()).containsExactly(
                "switchboard.yaml:5: listeners[0].routes[0].match.stick-counter.pool: pool 'app' keeps no stick table, so it has no"
                        + " counters (a pool with persistence stick or app-cookie has one; no pool has one)");
    }

    @Test
    void aStickConditionNeverMakesALaterRouteLookShadowed() throws Exception {
        List<String> warnings = load("""
                  - name: too-fast
                    match: {stick-counter: {pool: app, counter: request-rate, above: 100}}
                    respond: {status: 429}
                  - name: everything
                    pool: app
                  - name: faster
                    match: {stick-counter: {pool: app, counter: request-rate, above: 200}}
                    deny: true
                """).warnings().stream().map(ConfigProblem::toString).filter(w -> w.contains(".routes")).toList();
        assertThat(warnings).containsExactly(
                "switchboard.yaml:10: warning: listeners[0].routes[2]: route 'faster' can never match: route 'too-fast' (line 5)"
                        + " comes first and takes every request it would match (stick-counter app request-rate > 100)");
    }
}
