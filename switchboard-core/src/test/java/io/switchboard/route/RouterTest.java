package io.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.Cidr;
import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteConfig.Match;
import org.junit.jupiter.api.Test;
import io.switchboard.config.RouteConfig.ValueMatch;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class RouterTest {

    /** A request made in the test. */
    record Req(String method, String host, String target, Map<String, String> headers, Map<String, String> cookies, String ip)
            implements RouteRequest {
        static Req get(String host, String target) {
            return new Req("GET", host, target, Map.of(), Map.of(), "192.0.2.1");
        }

        Req withHeader(String n, String v) {
            Map<String, String> h = new HashMap<>(headers);
            h.put(n.toLowerCase(Locale.ROOT), v);
            return new Req(method, host, target, h, cookies, ip);
        }

        Req withCookie(String n, String v) {
            Map<String, String> c = new HashMap<>(cookies);
            c.put(n, v);
            return new Req(method, host, target, headers, c, ip);
        }

        Req from(String address) {
            return new Req(method, host, target, headers, cookies, address);
        }

        Req method(String m) {
            return new Req(m, host, target, headers, cookies, ip);
        }

        @Override
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String cookie(String name) {
            return cookies.get(name);
        }

        @Override
        public byte[] clientAddressBytes() {
            try {
                return InetAddress.getByName(ip).getAddress();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static Match.Builder when() {
        return new Match.Builder();
    }

    static RouteConfig route(String name, Match m, String pool) {
        return new RouteConfig(name, m, RouteAction.Forward.to(pool));
    }

    static String pool(Router r, RouteRequest q) {
        RouteAction a = r.route(q).action();
        return a instanceof RouteAction.Forward f ? f.pool() : a.toString();
    }

    @Test
    void eachConditionSelects() {
        Router r = new Router("dflt", List.of(
                route("host", when().hosts("shop.example.com").build(), "shop"),
                route("wild", when().hosts("*.example.org").build(), "org"),
                route("exact", when().path("/exact").build(), "exact"),
                route("prefix", when().pathPrefix("/api/").build(), "api"),
                route("regex", when().pathRegex("^/img/.*\\.png$").build(), "img"),
                route("method", when().methods("DELETE").build(), "del"),
                route("header", when().header(new ValueMatch("X-Tier", RouteConfig.Test.EQUALS, "gold")).build(), "gold"),
                route("hdr-present", when().header(new ValueMatch("X-Debug", RouteConfig.Test.PRESENT, null)).build(), "debug"),
                route("cookie", when().cookie(new ValueMatch("beta", RouteConfig.Test.REGEX, "^1$")).build(), "beta"),
                route("query", when().query(new ValueMatch("lang", RouteConfig.Test.EQUALS, "en us")).build(), "en"),
                route("client", when().clients(Cidr.parse("10.0.0.0/8")).build(), "ten")));
        assertThat(pool(r, Req.get("SHOP.example.com:8080", "/"))).isEqualTo("shop");
        assertThat(pool(r, Req.get("a.b.example.org", "/"))).isEqualTo("org");
        assertThat(pool(r, Req.get("example.org", "/"))).isEqualTo("dflt");
        assertThat(pool(r, Req.get("h", "/exact"))).isEqualTo("exact");
        assertThat(pool(r, Req.get("h", "/exact/"))).isEqualTo("dflt");
        assertThat(pool(r, Req.get("h", "/api/v1?x=1"))).isEqualTo("api");
        assertThat(pool(r, Req.get("h", "/img/a/b.png"))).isEqualTo("img");
        assertThat(pool(r, Req.get("h", "/img/a/b.gif"))).isEqualTo("dflt");
        assertThat(pool(r, Req.get("h", "/x").method("DELETE"))).isEqualTo("del");
        assertThat(pool(r, Req.get("h", "/x").withHeader("x-tier", "gold"))).isEqualTo("gold");
        assertThat(pool(r, Req.get("h", "/x").withHeader("x-tier", "silver"))).isEqualTo("dflt");
        assertThat(pool(r, Req.get("h", "/x").withHeader("X-Debug", ""))).isEqualTo("debug");
        assertThat(pool(r, Req.get("h", "/x").withCookie("beta", "1"))).isEqualTo("beta");
        assertThat(pool(r, Req.get("h", "/x?a=b&lang=en%20us"))).isEqualTo("en");
        assertThat(pool(r, Req.get("h", "/x?language=en%20us"))).isEqualTo("dflt");
        assertThat(pool(r, Req.get("h", "/x").from("10.2.3.4"))).isEqualTo("ten");
        assertThat(pool(r, Req.get("h", "/x").from("::ffff:10.2.3.4"))).isEqualTo("ten");
        assertThat(pool(r, Req.get("h", "/x").from("11.2.3.4"))).isEqualTo("dflt");
    }

    @Test
    void conditionsAreAndedAndNotNegates() {
        Router r = new Router("dflt", List.of(
                route("both", when().pathPrefix("/admin").methods("POST")
                        .not(when().clients(Cidr.parse("10.1.0.0/16")).build()).build(), "admin")));
        assertThat(pool(r, Req.get("h", "/admin").method("POST").from("10.2.0.1"))).isEqualTo("admin");
        assertThat(pool(r, Req.get("h", "/admin").method("POST").from("10.1.0.1"))).isEqualTo("dflt");
        assertThat(pool(r, Req.get("h", "/admin").method("GET").from("10.2.0.1"))).isEqualTo("dflt");
        assertThat(pool(r, Req.get("h", "/other").method("POST").from("10.2.0.1"))).isEqualTo("dflt");
    }

    @Test
    void firstMatchWinsAcrossIndexes() {
        Router r = new Router("dflt", List.of(
                route("any-post", when().methods("POST").build(), "first"),   // unindexed
                route("by-host", when().hosts("a.example").build(), "second"), // host index
                route("by-prefix", when().pathPrefix("/a").build(), "third"),  // prefix trie
                route("longer-prefix", when().pathPrefix("/a/b").build(), "fourth")));
        assertThat(pool(r, Req.get("a.example", "/a/b").method("POST"))).isEqualTo("first");
        assertThat(pool(r, Req.get("a.example", "/a/b"))).isEqualTo("second");
        assertThat(pool(r, Req.get("b.example", "/a/b"))).isEqualTo("third");
        assertThat(r.stats()).extracting(Router.RuleStats::hits).containsExactly(1L, 1L, 1L, 0L, 0L);
    }

    @Test
    void normalisedPathIsMatchedAndRefusalsAreDistinct() {
        Router r = new Router("dflt", List.of(new RouteConfig("no-admin", when().pathPrefix("/admin").build(), RouteAction.Respond.deny())));
        for (String t : List.of("/admin", "/%61dmin", "/./admin", "//admin", "/x/../admin", "/admin?x")) {
            assertThat(r.route(Req.get("h", t)).action()).as(t).isEqualTo(RouteAction.Respond.deny());
        }
        assertThat(r.route(Req.get("h", "/ADMIN")).action()).isEqualTo(RouteAction.Forward.to("dflt"));
        assertThat(r.route(Req.get("h", "/a%2Fdmin")).action()).isInstanceOf(RouteAction.Refused.class);
    }

    @Test
    void anchoredRegexesAreIndexedByTheirLiteralStart() {
        assertThat(Router.literalPrefix("^/img/.*\\.png$")).isEqualTo("/img/");
        assertThat(Router.literalPrefix("^/ab*c")).isEqualTo("/a");
        assertThat(Router.literalPrefix("^/a|/b")).isEmpty();
        assertThat(Router.literalPrefix("/img/")).isEmpty();
        assertThat(Router.literalPrefix("^(?i)/img")).isEmpty();
        Router r = new Router("dflt", List.of(route("png", when().pathRegex("^/img/.*\\.png$").build(), "img"),
                route("opt", when().pathRegex("^/ab?c").build(), "opt")));
        assertThat(pool(r, Req.get("h", "/img/x.png"))).isEqualTo("img");
        assertThat(pool(r, Req.get("h", "/ac"))).isEqualTo("opt");
        assertThat(pool(r, Req.get("h", "/imgx.png"))).isEqualTo("dflt");
    }

    @Test
    void oversizedValuesAreCutBeforeComparing() {
        String big = "a".repeat(Router.MAX_KEY_LENGTH);
        Router r = new Router("dflt", List.of(route("c", when().cookie(new ValueMatch("s", RouteConfig.Test.EQUALS, big)).build(), "cut")));
        assertThat(pool(r, Req.get("h", "/").withCookie("s", big + "b".repeat(60_000)))).isEqualTo("cut");
    }

    @Test
    void redirectAndRewriteUseTheNormalisedPath() {
        Router.Decision d = Router.none("p").route(Req.get("x", "/"));
        assertThat(d.action()).isEqualTo(RouteAction.Forward.to("p"));
        Router r = new Router("dflt", List.of(new RouteConfig("r", when().pathPrefix("/old/").build(),
                        new RouteAction.Redirect(301, "https://{host}{path}{query}")),
                new RouteConfig("w", when().pathPrefix("/api/").build(),
                        new RouteAction.Forward("app", null, List.of(), List.of(), "/api/", "/"))));
        Router.Decision red = r.route(Req.get("Shop.Example:8080", "/old//a?q=1"));
        assertThat(red.location((RouteAction.Redirect) red.action())).isEqualTo("https://shop.example/old/a?q=1");
        Router.Decision odd = r.route(Req.get("evil.example/x@y", "/old/a"));
        assertThat(odd.location((RouteAction.Redirect) odd.action())).isEqualTo("https:///old/a");
        Router.Decision fw = r.route(Req.get("h", "/api/./v1/x?y"));
        assertThat(fw.rewrittenTarget((RouteAction.Forward) fw.action())).isEqualTo("/v1/x?y");
    }

    @Test
    void shadowedRoutesAreFound() {
        List<RouteConfig> rs = List.of(
                route("api", when().pathPrefix("/api").build(), "a"),
                route("api-v1", when().pathPrefix("/api/v1").build(), "b"),         // covered by api
                route("gold", when().header(new ValueMatch("X", RouteConfig.Test.EQUALS, "1")).build(), "c"),
                route("gold-again", when().header(new ValueMatch("X", RouteConfig.Test.EQUALS, "1")).build(), "d"),
                route("host", when().hosts("a.example", "b.example").build(), "e"),
                route("host-a", when().hosts("a.example").methods("GET").build(), "f"),
                route("all", Match.ANY, "g"),
                route("after-all", when().methods("GET").build(), "h"));
        assertThat(RouteConfig.shadowing(rs)).containsExactly(-1, 0, -1, 2, -1, 4, -1, 6);
    }

    // ---- the index against a linear scan -------------------------------------------------------

    private static final String[] HOSTS = {"a.example", "b.example", "x.a.example", "c.example.org", "example.org"};
    private static final String[] PATHS = {"/", "/api", "/api/v1/x", "/img/a.png", "/p3/q", "/p12/z", "/static/app.js", "/a"};

    @Property(tries = 200)
    void indexFindsWhatALinearScanFinds(@ForAll @IntRange(min = 1, max = 1000) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        List<RouteConfig> routes = new ArrayList<>();
        for (int i = 0; i < n; i++) routes.add(route("r" + i, randomMatch(rnd, 0), "p" + i));
        Router r = new Router("dflt", routes);
        for (int k = 0; k < 30; k++) {
            Req q = new Req(rnd.nextBoolean() ? "GET" : "POST", HOSTS[rnd.nextInt(HOSTS.length)], PATHS[rnd.nextInt(PATHS.length)]
                    + (rnd.nextBoolean() ? "?lang=en" : ""), rnd.nextBoolean() ? Map.of("x-tier", "gold") : Map.of(), Map.of(),
                    rnd.nextBoolean() ? "10.0.0.1" : "192.0.2.1");
            assertThat(pool(r, q)).as(q.toString()).isEqualTo(linear(routes, q));
        }
    }

    private static Match randomMatch(Random rnd, int depth) {
        Match.Builder b = when();
        if (rnd.nextInt(3) == 0) b.hosts(rnd.nextBoolean() ? HOSTS[rnd.nextInt(HOSTS.length)] : "*." + HOSTS[rnd.nextInt(HOSTS.length)]);
        switch (rnd.nextInt(5)) {
            case 0 -> b.pathPrefix(rnd.nextBoolean() ? "/p" + rnd.nextInt(20) : PATHS[rnd.nextInt(PATHS.length)]);
            case 1 -> b.path(PATHS[rnd.nextInt(PATHS.length)]);
            case 2 -> b.pathRegex(rnd.nextBoolean() ? "^/p" + rnd.nextInt(20) + "/" : "^/a?p" + rnd.nextInt(3));
            default -> { }
        }
        if (rnd.nextInt(4) == 0) b.methods(rnd.nextBoolean() ? "GET" : "POST");
        if (rnd.nextInt(5) == 0) b.header(new ValueMatch("X-Tier", RouteConfig.Test.EQUALS, "gold"));
        if (rnd.nextInt(6) == 0) b.query(new ValueMatch("lang", RouteConfig.Test.PRESENT, null));
        if (rnd.nextInt(6) == 0) b.clients(Cidr.parse("10.0.0.0/8"));
        if (depth == 0 && rnd.nextInt(8) == 0) b.not(randomMatch(rnd, 1));
        return b.build();
    }

    /** The semantics, written the slow way: the first route whose conditions all hold. */
    private static String linear(List<RouteConfig> routes, Req q) {
        for (RouteConfig rc : routes) {
            if (holds(rc.match(), q)) return ((RouteAction.Forward) rc.action()).pool();
        }
        return "dflt";
    }

    private static boolean holds(Match m, Req q) {
        String target = q.target();
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        String query = target.contains("?") ? target.substring(target.indexOf('?') + 1) : "";
        String host = q.host().toLowerCase(Locale.ROOT);
        if (!m.hosts().isEmpty() && m.hosts().stream().noneMatch(h -> h.startsWith("*.") ? host.endsWith(h.substring(1)) : h.equals(host))) {
            return false;
        }
        if (m.path() != null && !m.path().equals(path)) return false;
        if (m.pathPrefix() != null && !path.startsWith(m.pathPrefix())) return false;
        if (m.pathRegex() != null && !Pattern.compile(m.pathRegex()).matcher(path).find()) return false;
        if (!m.methods().isEmpty() && !m.methods().contains(q.method())) return false;
        if (!m.headers().isEmpty() && !"gold".equals(q.header("X-Tier"))) return false;
        if (!m.queries().isEmpty() && !query.startsWith("lang=")) return false;
        if (!m.clients().isEmpty() && !q.ip().startsWith("10.")) return false;
        return m.not() == null || !holds(m.not(), q);
    }
}
