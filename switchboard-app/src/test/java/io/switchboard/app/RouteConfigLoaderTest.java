package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.switchboard.config.Cidr;
import io.switchboard.config.HeaderEdit;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteConfig.Match;
import io.switchboard.config.RouteConfig.ValueMatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A listener's {@code routes} (issue #12), in ConfigLoaderTest's style. */
class RouteConfigLoaderTest {
    private static final String FILE = "switchboard.yaml";
    private static final String POOLS = """
            pools:
              app:
                servers:
                  - { name: a, address: 127.0.0.1:9001 }
              static:
                classes:
                  - { name: gold }
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

    private static List<String> warnings(String routes) throws ConfigException {
        return ConfigText.warnings(load(routes));
    }

    private static List<RouteConfig> routes(String yaml) throws ConfigException {
        ListenerConfig l = load(yaml).config().listeners().get(0);
        return l.routes();
    }

    @Test
    void everyConditionAndActionIsRead() throws Exception {
        List<RouteConfig> rs = routes("""
                  - name: no-admin
                    match:
                      host: ["Shop.example.com", "*.shop.example.com"]
                      path-prefix: /admin
                      method: [GET, HEAD]
                      header: {name: X-Tier, equals: gold}
                      query: {name: lang, present: true}
                      cookie: [{name: beta, regex: "^1$"}]
                      client: [10.0.0.0/8, "2001:db8::/32"]
                      not: {client: 10.1.0.0/16}
                    deny: true
                  - match: {path: /gone}
                    respond: {status: 410, body: "gone"}
                  - match: {path-regex: "^/old/"}
                    redirect: {status: 308, location: "https://{host}{path}{query}"}
                  - match: {host: api.example.com}
                    pool: static
                    class: gold
                    rewrite-prefix: {from: /api/, to: /}
                    set-request-headers: {X-A: b}
                    add-request-headers: {X-C: d}
                    remove-request-headers: [X-B]
                    set-response-headers: {X-E: f}
                    add-response-headers: {X-G: h}
                    remove-response-headers: Server
                """);
        assertThat(rs).hasSize(4);
        assertThat(rs.get(0)).isEqualTo(new RouteConfig("no-admin", new Match.Builder()
                .hosts("shop.example.com", "*.shop.example.com").pathPrefix("/admin").methods("GET", "HEAD")
                .header(new ValueMatch("X-Tier", RouteConfig.Test.EQUALS, "gold"))
                .query(new ValueMatch("lang", RouteConfig.Test.PRESENT, null))
                .cookie(new ValueMatch("beta", RouteConfig.Test.REGEX, "^1$"))
                .clients(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"))
                .not(new Match.Builder().clients(Cidr.parse("10.1.0.0/16")).build()).build(), RouteAction.Respond.deny()));
        assertThat(rs.get(1).name()).isEqualTo("route-1");
        assertThat(rs.get(1).action()).isEqualTo(new RouteAction.Respond(410, "gone"));
        assertThat(rs.get(2).action()).isEqualTo(new RouteAction.Redirect(308, "https://{host}{path}{query}"));
        assertThat(rs.get(3).action()).isEqualTo(new RouteAction.Forward("static", "gold",
                List.of(new HeaderEdit(HeaderEdit.Op.REMOVE, "X-B", null), new HeaderEdit(HeaderEdit.Op.SET, "X-A", "b"),
                        new HeaderEdit(HeaderEdit.Op.ADD, "X-C", "d")),
                List.of(new HeaderEdit(HeaderEdit.Op.REMOVE, "Server", null), new HeaderEdit(HeaderEdit.Op.SET, "X-E", "f"),
                        new HeaderEdit(HeaderEdit.Op.ADD, "X-G", "h")), "/api/", "/"));
    }

    @Test
    void aPoolUsedOnlyByARouteIsUsed() throws Exception {
        assertThat(warnings("""
                  - match: {path-prefix: /static/}
                    pool: static
                """)).isEmpty();
    }

    @Test
    void badRoutesAreErrorsWithFileLineAndKey() {
        assertThat(errors("""
                  - match: {path-regex: "([a-z"}
                    pool: static
                  - match: {path-prefix: /x}
                    pool: statik
                  - match: {path: /y}
                    pool: static
                    deny: true
                  - match: {path: /z}
                  - match: {path: /w}
                    redirect: {status: 200, location: "https://x{path}"}
                  - match: {path: /v}
                    pool: app
                    set-request-headers: {Content-Length: "5"}
                  - match: {path: /u, colour: red}
                    deny: true
                  - match: {path: /%61dmin}
                    deny: true
                  - match: {method: get}
                    respond: {status: 700}
                  - match: {host: "shop.example.com:8080"}
                    deny: true
                """)).containsExactly(
                "switchboard.yaml:5: listeners[0].routes[0].match.path-regex: invalid regular expression '([a-z': Unclosed character class near index 4",
                "switchboard.yaml:8: listeners[0].routes[1].pool: no pool named 'statik', did you mean 'static'? (pools: app, static)",
                "switchboard.yaml:11: listeners[0].routes[2].deny: a route has one action; this one has pool, deny",
                "switchboard.yaml:12: listeners[0].routes[3]: the route has no action (give one of pool, redirect, respond, deny)",
                "switchboard.yaml:14: listeners[0].routes[4].redirect.status: 200 is out of range (allowed: 301-308)",
                "switchboard.yaml:17: listeners[0].routes[5].set-request-headers.Content-Length: header 'Content-Length' cannot be edited:"
                        + " it frames the message or the proxy writes it (protected: connection, content-length, keep-alive,"
                        + " proxy-connection, te, trailer, transfer-encoding, upgrade, via, x-forwarded-for, x-forwarded-host,"
                        + " x-forwarded-proto)",
                "switchboard.yaml:18: listeners[0].routes[6].match.colour: unknown key 'colour' (allowed: host, path, path-prefix,"
                        + " path-regex, method, header, query, cookie, client, stick-counter, not)",
                "switchboard.yaml:20: listeners[0].routes[7].match.path: '/%61dmin' could never match: paths are matched normalised (write '/admin')",
                "switchboard.yaml:22: listeners[0].routes[8].match.method: 'get' is not a method (methods are upper case, e.g. GET, POST)",
                "switchboard.yaml:23: listeners[0].routes[8].respond.status: 700 is out of range (allowed: 200-599)",
                "switchboard.yaml:24: listeners[0].routes[9].match.host: 'shop.example.com:8080': write the host without a port"
                        + " (hosts are matched without theirs)");
    }

    @Test
    void aRoutesClassMustBeOneOfItsPoolsClasses() throws Exception {
        String yaml = "listeners:\n  - port: 8080\n    default-pool: app\n    routes:\n"
                + "      - match: {header: {name: X-Tier, equals: gold}}\n        pool: app\n        class: gld\n"
                + "      - match: {header: {name: X-Tier, equals: bulk}}\n        pool: app\n        class: gold\n"
                + "pools:\n  app:\n    classes:\n      - {name: gold}\n    servers:\n      - { name: a, address: 127.0.0.1:9001 }\n";
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, FILE, null));
        assertThat(e.problems().stream().map(ConfigProblem::toString).toList()).containsExactly(
                "switchboard.yaml:7: listeners[0].routes[0].class: pool 'app' has no service class 'gld', did you mean 'gold'?"
                        + " (classes: gold, default)");
        String ok = yaml.replace("class: gld", "class: default");
        assertThat(ConfigLoader.parse(ok, FILE, null).config().listeners().get(0).routes())
                .extracting(r -> ((RouteAction.Forward) r.action()).serviceClass()).containsExactly("default", "gold");
    }

    @Test
    void shadowedRoutesAreWarnings() throws Exception {
        assertThat(warnings("""
                  - name: api
                    match: {path-prefix: /api}
                    pool: static
                  - name: api-v1
                    match: {path-prefix: /api/v1}
                    deny: true
                  - name: everything
                    pool: app
                  - name: never
                    match: {method: GET}
                    deny: true
                """)).containsExactly(
                "switchboard.yaml:8: warning: listeners[0].routes[1]: route 'api-v1' can never match: route 'api' (line 5) comes first"
                        + " and takes every request it would match (path starts with /api)",
                "switchboard.yaml:13: warning: listeners[0].routes[3]: route 'never' can never match: route 'everything' (line 11) comes first"
                        + " and takes every request it would match (any request)");
    }
}
