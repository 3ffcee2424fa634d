package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.admin.metrics.SwitchboardCollector;
import io.switchboard.admin.stats.Sampler;
import io.switchboard.admin.stats.Traffic;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.persist.PersistenceState;
import io.switchboard.persist.ServerCookie;
import io.switchboard.registry.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/pools/{pool}/stick-table} and {@code /persistence}, without sockets. */
class StickTableApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_000_000_000_000L;

    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
    private final PersistenceState persistence = new PersistenceState(new byte[32], Map.<String, String>of()::get);
    private final AdminApi api;

    private static PoolConfig pool(String name, PersistenceConfig p) {
        return new PoolConfig(name, "round-robin", 1.25, 1, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE,
                PassiveHealthConfig.DEFAULT, 0, List.of()).withPersistence(p);
    }

    StickTableApiTest() {
        persistence.reconcile(List.of(
                pool("app", new PersistenceConfig.Stick(PersistenceConfig.StickOn.parse("header:X-User"), Duration.ofMinutes(1), 100)),
                pool("web", new PersistenceConfig.Cookie("SRV", null, null, false, true, null, null))));
        Map<String, Pool> pools = new LinkedHashMap<>();
        for (String n : List.of("app", "web", "plain")) pools.put(n, new Pool(n, Algorithms.byName("round-robin"), Pool.Settings.defaults()));
        Traffic traffic = new Traffic();
        Dispatcher d = new StubDispatcher() {
            @Override public Map<String, Pool> pools() { return pools; }
            @Override public PersistenceState persistence() { return persistence; }
        };
        api = new AdminApi(d, traffic, new Sampler(traffic), new Auth("0123456789abcdef"), new Json(),
                new MetricsEndpoint(new SwitchboardCollector(d::pools, traffic, d::accessLog, d::queueLength, d::queuedByClass, d::listenerCounters, d::persistence)),
                new StaticFiles(), worker, () -> NOW);
    }

    @AfterEach
    void stop() {
        worker.shutdownNow();
    }

    private ApiResponse get(String path, Map<String, List<String>> query) throws Exception {
        return api.handle(new ApiRequest("GET", path, query, null, "127.0.0.1", null, null, true)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void pagesTheTableInKeyOrderWithCounters() throws Exception {
        var table = persistence.pool("app").table();
        for (int i = 0; i < 5; i++) {
            table.track("user" + i, NOW - 2_000_000_000L, true);
            table.stick("user" + i, "s" + (i % 2), NOW - 1_000_000_000L);
        }
        List<String> keys = new ArrayList<>();
        String after = null;
        for (int n = 0; n < 5; n++) {
            Map<String, List<String>> q = after == null ? Map.of("limit", List.of("2")) : Map.of("limit", List.of("2"), "after", List.of(after));
            ApiResponse r = get("/api/v1/pools/app/stick-table", q);
            assertThat(r.status()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("total").asInt()).isEqualTo(5);
            assertThat(body.get("capacity").asInt()).isEqualTo(100);
            body.get("entries").forEach(e -> keys.add(e.get("key").asText()));
            if (n == 0) {
                JsonNode e = body.get("entries").get(0);
                assertThat(e.get("server").asText()).isEqualTo("s0");
                assertThat(e.get("requests").asLong()).isEqualTo(1);
                assertThat(e.get("connections").asLong()).isEqualTo(1);
                assertThat(e.get("ageSeconds").asDouble()).isEqualTo(2.0);
                assertThat(e.get("expiresInSeconds").asDouble()).isEqualTo(59.0);
            }
            after = body.get("next").isNull() ? null : body.get("next").asText();
            if (after == null) break;
        }
        assertThat(keys).containsExactly("user0", "user1", "user2", "user3", "user4");
    }

    @Test
    void badLimitsAndPoolsWithoutATableAreRefused() throws Exception {
        assertThat(get("/api/v1/pools/app/stick-table", Map.of("limit", List.of("0"))).status()).isEqualTo(400);
        assertThat(get("/api/v1/pools/app/stick-table", Map.of("limit", List.of("x"))).status()).isEqualTo(400);
        assertThat(get("/api/v1/pools/web/stick-table", Map.of()).status()).isEqualTo(404);
        assertThat(get("/api/v1/pools/plain/stick-table", Map.of()).status()).isEqualTo(404);
        assertThat(get("/api/v1/pools/plain/persistence", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void metricsCountRejectionsAndTableEntries() throws Exception {
        persistence.pool("web").rejected(ServerCookie.Rejection.IDLE);
        persistence.pool("app").table().track("alice", NOW, true);
        String text = new String(get("/metrics", Map.of()).body(), StandardCharsets.UTF_8);
        assertThat(text).contains("switchboard_persistence_cookie_rejected_total{pool=\"web\",reason=\"idle\"} 1.0")
                .contains("switchboard_stick_table_entries{pool=\"app\"} 1.0")
                .contains("switchboard_stick_table_evicted_total{pool=\"app\"} 0.0");
    }

    @Test
    void persistenceSaysWhatWasRejected() throws Exception {
        persistence.pool("web").rejected(ServerCookie.Rejection.BAD_MAC);
        JsonNode body = JSON.readTree(get("/api/v1/pools/web/persistence", Map.of()).body());
        assertThat(body.get("kind").asText()).isEqualTo("cookie");
        assertThat(body.get("rejected").get("bad-mac").asLong()).isEqualTo(1);
        assertThat(body.get("rejected").get("unknown-server").asLong()).isZero();
        JsonNode app = JSON.readTree(get("/api/v1/pools/app/persistence", Map.of()).body());
        assertThat(app.get("kind").asText()).isEqualTo("stick");
        assertThat(app.get("tableCapacity").asInt()).isEqualTo(100);
    }
}
