package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteKey;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A forward route's {@code key}, in ConfigLoaderTest's style. */
class RouteKeyConfigLoaderTest {
    private static final String FILE = "switchboard.yaml";
    private static final String POOLS = """
            pools:
              app:
                algorithm: lard
                servers:
                  - { name: a, address: 127.0.0.1:9001 }
              rr:
                servers:
                  - { name: s, address: 127.0.0.1:9002 }
            """;

    /** Line 1 is "listeners:", the routes start on line 5. */
    private static LoadedConfig load(String routes) throws ConfigException {
        return ConfigLoader.parse(ConfigText.withRoutes(routes, POOLS), FILE, null);
    }

    private static List<String> errors(String routes) {
        return ConfigText.errors(() -> load(routes));
    }

    @Test
    void aForwardsKeyIsRead() throws Exception {
        LoadedConfig c = load("""
                  - match: {path-prefix: /t/}
                    pool: app
                    key: "header:X-Tenant"
                  - pool: rr
                """);
        assertThat(c.warnings()).isEmpty();
        assertThat(c.config().listeners().get(0).routes()).extracting(r -> ((RouteAction.Forward) r.action()).key())
                .containsExactly(new RouteKey(RouteKey.Kind.HEADER, "X-Tenant"), RouteKey.PATH);
    }

    @Test
    void aBadKeyIsAnErrorAtItsLine() {
        assertThat(errors("""
                  - pool: app
                    key: "uri"
                  - pool: app
                    key: "header:"
                """)).containsExactly(
                "switchboard.yaml:6: listeners[0].routes[0].key: 'uri' is not a route key (allowed: path, header:NAME, cookie:NAME,"
                        + " query:NAME)",
                "switchboard.yaml:8: listeners[0].routes[1].key: 'header:' names no header (write e.g. header:X-Tenant)");
    }

    @Test
    void aKeyOnlyGoesWithAForward() {
        assertThat(errors("""
                  - deny: true
                    key: path
                """)).containsExactly("switchboard.yaml:6: listeners[0].routes[0].key: 'key' only goes with 'pool'"
                + " (this route's action is deny)");
    }

    @Test
    void aKeyForAPoolThatDoesNotKeyOnThePathIsAWarning() throws Exception {
        assertThat(load("""
                  - pool: rr
                    key: "cookie:sid"
                """).warnings()).map(ConfigProblem::toString).containsExactly("switchboard.yaml:6: warning: listeners[0].routes[0].key:"
                + " only used by uri-hash, lard and lard-r; pool 'rr' uses round-robin, so it is ignored");
    }
}
