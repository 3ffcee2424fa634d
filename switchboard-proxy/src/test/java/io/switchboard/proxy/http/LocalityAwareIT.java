package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.balance.LardR;
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
