package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.RouteConfig.Match;
import io.switchboard.config.RouteConfig.ValueMatch;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.ServiceClassConfig;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.demo.DemoBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Service classes on real sockets: a route's class goes ahead of the default class in the queue;
 * a class's own queue limit and timeout instead of the pool's, its Retry-After on 503, and its tags
 * keeping requests on the servers that carry them.
 */
class ServiceClassIT {

    private static List<HttpResponse<String>> concurrent(ProxyFixture f, int n, String path) {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(f.client().sendAsync(HttpRequest.newBuilder(f.uri(path)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        return all.stream().map(CompletableFuture::join).toList();
    }

    private static CompletableFuture<HttpResponse<String>> send(ProxyFixture f, String path, String tier) {
        HttpRequest.Builder b = HttpRequest.newBuilder(f.uri(path)).timeout(Duration.ofSeconds(20));
        if (tier != null) b.header("X-Tier", tier);
        return f.client().sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits (bounded) until the pool's queue holds {@code n} requests. */
    private static void queued(ProxyFixture f, int n) throws InterruptedException {
        for (int i = 0; i < 1000 && f.proxy.state().queueLength(f.pool) < n; i++) Thread.sleep(5);
        assertThat(f.proxy.state().queueLength(f.pool)).as("requests waiting").isEqualTo(n);
    }

    @Test
    void aRoutesClassIsServedBeforeTheDefaultClassThatQueuedFirst() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.routes = List.of(new RouteConfig("gold-users",
                    new Match.Builder().header(new ValueMatch("X-Tier", RouteConfig.Test.EQUALS, "gold")).build(),
                    new RouteAction.Forward("app", "gold", List.of(), List.of(), null, null)));
            f.classes = List.of(new ServiceClassConfig("gold", 10, Duration.ofSeconds(10), null, Set.of()));
            f.start(List.of(server(f.backends.get(0), 1)));
            // One slot: the first request holds it while two default-class requests and then a gold one queue.
            CompletableFuture<HttpResponse<String>> holder = send(f, "/delay?ms=1500&who=holder", null);
            for (int i = 0; i < 1000 && f.pool.inFlight() < 1; i++) Thread.sleep(5);
            CompletableFuture<HttpResponse<String>> plain1 = send(f, "/delay?ms=50&who=plain1", null);
            queued(f, 1);
            CompletableFuture<HttpResponse<String>> plain2 = send(f, "/delay?ms=50&who=plain2", null);
            queued(f, 2);
            CompletableFuture<HttpResponse<String>> gold = send(f, "/delay?ms=50&who=gold", "gold");
            queued(f, 3);
            for (CompletableFuture<HttpResponse<String>> r : List.of(holder, plain1, plain2, gold)) {
                assertThat(r.join().statusCode()).isEqualTo(200);
            }
            List<String> order = f.accessLog.stream().map(a -> a.uri().substring(a.uri().indexOf("who=") + 4)).toList();
            assertThat(order).as("the order the back end served them in").containsExactly("holder", "gold", "plain1", "plain2");
        }
    }

    private static ServerConfig server(DemoBackend b, int max, String... tags) {
        return new ServerConfig(b.name(), "127.0.0.1", b.port(), 1, null, max, Set.of(tags));
    }

    @Test
    void theClassLimitAppliesAndItsRetryAfterIsSent() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            // The pool's own queue would take 1024: only the class's limit of 1 can refuse.
            f.classes = List.of(new ServiceClassConfig("default", 1, Duration.ofSeconds(10), Duration.ofMillis(6500), Set.of()));
            f.start(List.of(server(f.backends.get(0), 1)));
            List<HttpResponse<String>> rs = concurrent(f, 5, "/delay?ms=300");
            List<HttpResponse<String>> busy = rs.stream().filter(r -> r.statusCode() == 503).toList();
            assertThat(rs.stream().filter(r -> r.statusCode() == 200).count()).isBetween(1L, 2L);
            assertThat(busy).isNotEmpty().allSatisfy(r -> {
                assertThat(r.body()).contains("all back ends busy");
                assertThat(r.headers().firstValue("Retry-After")).as("6.5 s rounded up").hasValue("7");
            });
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.cause()).contains("queue of class 'default' in pool 'app' full (1 waiting)"));
        }
    }

    @Test
    void theClassTimeoutIs503WithItsRetryAfter() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.classes = List.of(new ServiceClassConfig("default", 10, Duration.ofMillis(200), Duration.ofSeconds(30), Set.of()));
            f.start(List.of(server(f.backends.get(0), 1)));
            List<HttpResponse<String>> rs = concurrent(f, 3, "/delay?ms=2000");
            assertThat(rs.stream().filter(r -> r.statusCode() == 200).count()).isEqualTo(1);
            List<HttpResponse<String>> busy = rs.stream().filter(r -> r.statusCode() == 503).toList();
            assertThat(busy).hasSize(2).allSatisfy(r -> assertThat(r.headers().firstValue("Retry-After")).hasValue("30"));
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.cause()).contains("waited 200 ms in the queue of class 'default'"));
            assertThat(f.proxy.state().queueLength(f.pool)).isZero();
        }
    }

    @Test
    void aClassWithTagsOnlyReachesServersCarryingThem() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo", "charlie")) {
            f.classes = List.of(new ServiceClassConfig("default", 100, Duration.ofSeconds(10), null, Set.of("cgi")));
            f.start(List.of(server(f.backends.get(0), 0, "cgi"), server(f.backends.get(1), 0),
                    server(f.backends.get(2), 0, "cgi", "big")));
            for (int i = 0; i < 12; i++) {
                HttpResponse<String> r = f.get("/");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body().trim()).isIn("alpha", "charlie");
            }
            assertThat(f.backends.get(1).requestCount()).as("bravo carries no cgi tag").isZero();
            assertThat(f.backends.get(0).requestCount()).isPositive();
            assertThat(f.backends.get(2).requestCount()).isPositive();
        }
    }

    @Test
    void aTaggedClassWaitsForItsServerWhileAnUntaggedOneIsIdle() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha", "bravo")) {
            f.classes = List.of(new ServiceClassConfig("default", 100, Duration.ofSeconds(10), null, Set.of("cgi")));
            f.start(List.of(server(f.backends.get(0), 1, "cgi"), server(f.backends.get(1), 0)));
            List<HttpResponse<String>> rs = concurrent(f, 4, "/delay?ms=150");
            assertThat(rs).allSatisfy(r -> {
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body().trim()).isEqualTo("alpha");
            });
            assertThat(f.backends.get(0).maxInProgress()).isEqualTo(1);
            assertThat(f.backends.get(1).requestCount()).isZero();
            assertThat(f.proxy.state().queueLength(f.pool)).isZero();
        }
    }

    @Test
    void aClassWhoseTagsNoServerCarriesIsAnswered503AtOnce() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.classes = List.of(new ServiceClassConfig("default", 100, Duration.ofSeconds(10), null, Set.of("gpu")));
            f.start(List.of(server(f.backends.get(0), 1, "cgi")));
            HttpResponse<String> r = f.get("/");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(f.backends.get(0).requestCount()).isZero();
            assertThat(f.accessLog).anySatisfy(a -> assertThat(a.cause()).contains("no back end available in pool 'app'"));
        }
    }

    @Test
    void waitersAreCountedPerClass() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.classes = List.of(new ServiceClassConfig("gold", 10, Duration.ofSeconds(10), null, Set.of()),
                    new ServiceClassConfig("default", 10, Duration.ofSeconds(10), null, Set.of()));
            f.start(List.of(server(f.backends.get(0), 1)));
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                all.add(f.client().sendAsync(HttpRequest.newBuilder(f.uri("/delay?ms=1500")).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Map<String, Integer> seen = Map.of();
            for (int i = 0; i < 300 && !seen.equals(Map.of("gold", 0, "default", 2)); i++) {
                Thread.sleep(10);
                seen = f.proxy.state().queuedByClass(f.pool);
            }
            assertThat(seen).containsExactly(Map.entry("gold", 0), Map.entry("default", 2));
            assertThat(all.stream().map(CompletableFuture::join)).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
            assertThat(f.proxy.state().queuedByClass(f.pool)).containsExactly(Map.entry("gold", 0), Map.entry("default", 0));
        }
    }
}
