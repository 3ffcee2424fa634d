package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.balance.LardR;
import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteConfig.Match;
import io.switchboard.config.RouteKey;
import io.switchboard.proxy.demo.DemoBackend;
import io.switchboard.route.PathNormalizer;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** lard and lard-r through the real proxy to back ends that say who they are. */
class LocalityAwareIT {

    @ParameterizedTest
    @ValueSource(strings = {"lard", "lard-r"})
    void aPathStaysOnOneBackendAndPathsSpread(String algorithm) throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie")) {
            f.algorithm = algorithm;
            f.start();
            Map<String, String> owner = new TreeMap<>();
            for (int round = 0; round < 3; round++) {
                for (int p = 0; p < 30; p++) {
                    HttpResponse<String> r = f.get("/item/" + p + "?round=" + round);
                    assertThat(r.statusCode()).isEqualTo(200);
                    String prev = owner.putIfAbsent("/item/" + p, r.body().trim());
                    if (prev != null) assertThat(r.body().trim()).as("path /item/" + p + ", the query left out").isEqualTo(prev);
                }
            }
            assertThat(new HashSet<>(owner.values())).containsExactlyInAnyOrder("alpha", "bravo", "charlie");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lard", "lard-r"})
    void concurrentRequestsForOnePathStayOnOneBackendBelowThePapersThreshold(String algorithm) throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie")) {
            f.algorithm = algorithm;
            f.start();
            // 12 at once is far below T_high = 65 in flight: no reason to leave the target's server.
            assertThat(servedBy(f, concurrently(f, "/delay?ms=300", 12))).hasSize(1);
        }
    }

    @Test
    void theLardRSetGrowsWhenOnePathOverloadsItsBackend() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie")) {
            f.algorithm = "lard-r";
            f.start();
            // Thresholds a test can reach: T_low 1, T_high 2. The requests are held open 3 s by the
            // back end, so each pick sees the ones before it in flight: the first server takes three,
            // the fourth finds it over T_high while the others are idle, and the set grows.
            f.pool.apply(Origin.API, new Change.Configure(new LardR(1, 2, Duration.ofSeconds(20)), f.pool.settings()));
            Set<String> servers = servedBy(f, concurrently(f, "/delay?ms=3000", 12));
            assertThat(servers).as("one path, served by a set grown under load").hasSizeGreaterThanOrEqualTo(2);
        }
    }

    /**
     * Spellings of one path that a back end reads as that path are one target: with routes (the
     * router's normalised path) and without (normalised for the key alone). Sequential requests at
     * 0 in flight would otherwise spread the spellings over the servers by the tie-break.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void spellingsOfOnePathAreOneTarget(boolean routed) throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie")) {
            f.algorithm = "lard";
            if (routed) {
                f.routes = List.of(new RouteConfig("no-admin", new Match.Builder().pathPrefix("/admin").build(),
                        RouteAction.Respond.deny()));
            }
            f.start();
            for (int p = 0; p < 10; p++) {
                for (String t : List.of("/p" + p, "/x/../p" + p, "/%70" + p + "?q=1", "//p" + p, "/./p" + p)) {
                    String resp = f.raw("GET " + t + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
                    assertThat(resp).as(t).startsWith("HTTP/1.1 200");
                }
            }
            Map<String, Set<String>> servers = new TreeMap<>();
            for (DemoBackend b : f.backends) {
                for (var r : b.requests()) { // Netty's request: the target as the back end got it
                    servers.computeIfAbsent(PathNormalizer.pathKey(r.uri()), k -> new HashSet<>()).add(b.name());
                }
            }
            assertThat(servers).hasSize(10);
            assertThat(servers).allSatisfy((path, names) -> assertThat(names).as(path).hasSize(1));
        }
    }

    /** A forward's {@code key: header:X-Tenant}: every path of one tenant is one target; tenants spread. */
    @Test
    void aRoutesKeyMakesEveryRequestOfOneTenantOneTarget() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie")) {
            f.algorithm = "lard";
            f.routes = List.of(new RouteConfig("tenants", Match.ANY,
                    RouteAction.Forward.to("app").withKey(RouteKey.parse("header:X-Tenant"))));
            f.start();
            for (int p = 0; p < 5; p++) {
                for (int t = 0; t < 6; t++) {
                    String resp = f.raw("GET /item/" + p + " HTTP/1.1\r\nHost: t\r\nX-Tenant: tenant-" + t
                            + "\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
                    assertThat(resp).startsWith("HTTP/1.1 200");
                }
            }
            Map<String, Set<String>> servers = new TreeMap<>();
            for (DemoBackend b : f.backends) {
                for (var r : b.requests()) servers.computeIfAbsent(r.headers().get("X-Tenant"), k -> new HashSet<>()).add(b.name());
            }
            assertThat(servers).hasSize(6);
            assertThat(servers).allSatisfy((tenant, names) -> assertThat(names).as(tenant).hasSize(1));
            assertThat(servers.values().stream().flatMap(Set::stream).distinct().count()).as("tenants spread").isGreaterThan(1);
        }
    }

    static List<CompletableFuture<HttpResponse<String>>> concurrently(ProxyFixture f, String path, int count) {
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpRequest req = HttpRequest.newBuilder(f.uri(path)).timeout(Duration.ofSeconds(20)).GET().build();
            pending.add(f.client().sendAsync(req, HttpResponse.BodyHandlers.ofString()));
        }
        return pending;
    }

    static Set<String> servedBy(ProxyFixture f, List<CompletableFuture<HttpResponse<String>>> pending) throws Exception {
        Set<String> servers = new HashSet<>();
        for (CompletableFuture<HttpResponse<String>> p : pending) {
            HttpResponse<String> r = p.get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            servers.add(r.body().trim());
        }
        return servers;
    }
}
