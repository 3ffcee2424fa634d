package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.switchboard.config.HeaderEdit;
import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteConfig.Match;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.demo.DemoBackend;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Routes end to end on real loopback sockets: what the client gets and what the back ends see. */
class RoutesIT {
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3})");

    private static RouteConfig deny(String prefix) {
        return new RouteConfig("no-admin", new Match.Builder().pathPrefix(prefix).build(), RouteAction.Respond.deny());
    }

    private static List<String> statuses(String responses) {
        Matcher m = STATUS.matcher(responses);
        return m.results().map(r -> r.group(1)).toList();
    }

    private static List<String> targetsSeen(ProxyFixture f) {
        return f.backends.stream().flatMap(b -> b.requests().stream()).map(HttpRequest::uri).toList();
    }

    @Test
    void noSpellingOfAdminPassesADenyRuleAndRefusedPathsReachNothing() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.routes = List.of(deny("/admin"));
            f.start();
            for (String t : List.of("/admin", "/admin/x", "/%61dmin", "/./admin", "//admin", "/x/../admin", "/x//../admin",
                    "/%2e%2e/admin", "/%2E/admin", "/admin/", "/admin?x=1")) {
                String resp = f.raw("GET " + t + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
                assertThat(statuses(resp)).as(t).containsExactly("403");
            }
            for (String t : List.of("/a%2Fdmin", "/a%2fdmin", "/%00admin", "/%zzadmin", "/%4", "/x/..;/admin", "/a%5Cadmin")) {
                String resp = f.raw("GET " + t + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
                assertThat(statuses(resp)).as(t).containsExactly("400");
                assertThat(resp).as(t).contains("path refused");
            }
            assertThat(targetsSeen(f)).isEmpty();
            // case is kept and encodings are decoded once: these are other paths, and go through as sent
            for (String t : List.of("/ADMIN", "/%2561dmin", "/administrator-is-also-a-prefix-match")) {
                String resp = f.raw("GET " + t + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
                assertThat(statuses(resp)).as(t).containsExactly(t.startsWith("/admin") ? "403" : "200");
            }
            assertThat(targetsSeen(f)).containsExactly("/ADMIN", "/%2561dmin");
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.cause()).contains("route no-admin: deny"));
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.cause()).contains("path refused: encoded '/'"));
        }
    }

    @Test
    void keepAliveStaysUsableAfterADenyAndARedirect() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.routes = List.of(deny("/admin"), new RouteConfig("old", new Match.Builder().pathPrefix("/old/").build(),
                    new RouteAction.Redirect(301, "https://{host}{path}{query}")));
            f.start();
            String resp = f.raw("GET /admin HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /old/a?q=1 HTTP/1.1\r\nHost: Shop.Example:8080\r\n\r\n"
                    + "POST /admin HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
            assertThat(statuses(resp)).containsExactly("403", "301", "403", "200");
            assertThat(resp).contains("location: https://shop.example/old/a?q=1\r\n");
            assertThat(targetsSeen(f)).containsExactly("/ok");
        }
    }

    @Test
    void respondAnswersWithItsStatusAndBody() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.routes = List.of(new RouteConfig("gone", new Match.Builder().path("/gone").build(), new RouteAction.Respond(410, "gone\n")));
            f.start();
            String resp = f.raw("GET /gone HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
            assertThat(resp).startsWith("HTTP/1.1 410 Gone\r\n").contains("content-length: 5\r\n").endsWith("\r\n\r\ngone\n");
            assertThat(targetsSeen(f)).isEmpty();
        }
    }

    @Test
    void forwardGoesToItsPoolWithHeaderEditsAndAPrefixRewrite() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha").pool("api", "apibackend")) {
            f.routes = List.of(new RouteConfig("api", new Match.Builder().hosts("api.example.com").pathPrefix("/api/").build(),
                    new RouteAction.Forward("api", "gold",
                            List.of(new HeaderEdit(HeaderEdit.Op.REMOVE, "X-Secret", null), new HeaderEdit(HeaderEdit.Op.SET, "X-Tier", "gold")),
                            List.of(new HeaderEdit(HeaderEdit.Op.ADD, "X-Route", "api")), "/api/", "/")));
            f.start();
            String resp = f.raw("GET /api/v1/x?y=1 HTTP/1.1\r\nHost: API.example.com\r\nX-Secret: s\r\nX-Tier: tin\r\n\r\n"
                    + "GET /api/v1/x HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
            assertThat(statuses(resp)).containsExactly("200", "200");
            assertThat(resp).contains("apibackend").contains("alpha").containsIgnoringCase("X-Route: api");
            DemoBackend api = f.otherPools.get("api").get(0);
            assertThat(api.requests()).hasSize(1);
            HttpRequest seen = api.requests().get(0);
            assertThat(seen.uri()).isEqualTo("/v1/x?y=1");
            assertThat(seen.headers().getAll("X-Tier")).containsExactly("gold");
            assertThat(seen.headers().contains("X-Secret")).isFalse();
            assertThat(targetsSeen(f)).containsExactly("/api/v1/x"); // the other host: default pool, unchanged
            assertThat(f.proxy.state().routing().router("web").stats())
                    .extracting(s -> s.name() + "=" + s.hits()).containsExactly("api=1", "default=1");
        }
    }
}
