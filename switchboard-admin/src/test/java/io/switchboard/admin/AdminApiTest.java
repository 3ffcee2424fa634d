package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.admin.metrics.SwitchboardCollector;
import io.switchboard.admin.stats.Sampler;
import io.switchboard.admin.stats.Traffic;
import io.switchboard.config.AdminState;
import io.switchboard.registry.Change;
import io.switchboard.registry.Pool;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.ServerConfig;
import io.switchboard.registry.Change;
import io.switchboard.registry.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The API's decisions without sockets: who may read and change, and how requests are checked. */
class AdminApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "0123456789abcdef";

    private final Pool pool = new Pool("app", Algorithms.byName("round-robin"), Pool.Settings.defaults());
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
    private final Traffic traffic = new Traffic();
    private final Auth auth = new Auth(TOKEN);
    private final AdminApi api;

    AdminApiTest() {
        pool.apply(new Change.Add(new ServerConfig("a", "127.0.0.1", 9001, 1, null)));
        pool.apply(new Change.Add(new ServerConfig("b", "127.0.0.1", 9002, 1, null)));
        Dispatcher d = new StubDispatcher() {
            @Override public List<ListenerInfo> listeners() { return List.of(new ListenerInfo("web", "127.0.0.1", 8080, "app")); }
            @Override public Map<String, Pool> pools() { return Map.of("app", pool); }
            @Override public int queueLength(Pool p) { return 3; }
            @Override public Map<String, Integer> queuedByClass(Pool p) {
                Map<String, Integer> m = new LinkedHashMap<>();
                m.put("gold", 1);
                m.put("default", 2);
                return m;
            }
        };
        api = new AdminApi(d, traffic, new Sampler(traffic), auth, new Json(),
                new MetricsEndpoint(new SwitchboardCollector(d::pools, traffic, d::accessLog, d::queueLength, d::queuedByClass, d::listenerCounters, d::persistence)), new StaticFiles(), worker,
                System::nanoTime);
    }

    @AfterEach
    void stop() {
        worker.shutdownNow();
    }

    private ApiResponse call(String method, String path, String body, String authorization, String host, boolean loopback)
            throws Exception {
        ApiRequest r = new ApiRequest(method, path, Map.of(), authorization, host, body == null ? null : "application/json",
                body == null ? null : body.getBytes(StandardCharsets.UTF_8), loopback);
        return api.handle(r).get(10, TimeUnit.SECONDS);
    }

    private static JsonNode json(ApiResponse r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void loopbackReadsNeedNoToken() throws Exception {
        ApiResponse r = call("GET", "/api/v1/pools/app", null, null, "127.0.0.1:9000", true);
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r).get("backends")).hasSize(2);
        assertThat(call("GET", "/api/v1/overview", null, null, "localhost:9000", true).status()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/overview", null, null, "[::1]:9000", true).status()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/overview", null, null, null, true).status()).isEqualTo(200);
    }

    @Test
    void waitersArePerServiceClassInThePoolAndTheMetrics() throws Exception {
        JsonNode p = json(call("GET", "/api/v1/pools/app", null, null, "127.0.0.1:9000", true));
        assertThat(p.get("queued").asInt()).isEqualTo(3);
        assertThat(p.get("queuedByClass").toString()).isEqualTo("{\"gold\":1,\"default\":2}");
        String metrics = new String(call("GET", "/metrics", null, null, "127.0.0.1:9000", true).body(), StandardCharsets.UTF_8);
        assertThat(metrics).contains("switchboard_pool_class_queue_length{class=\"gold\",pool=\"app\"} 1")
                .contains("switchboard_pool_class_queue_length{class=\"default\",pool=\"app\"} 2");
    }

    @Test
    void loopbackReadsNamingAnotherHostAreRefused() throws Exception {
        // DNS rebinding: a page from evil.example whose name now resolves to 127.0.0.1
        ApiResponse r = call("GET", "/api/v1/overview", null, null, "evil.example:9000", true);
        assertThat(r.status()).isEqualTo(403);
        assertThat(json(r).get("error").asText()).contains("DNS rebinding");
        assertThat(call("GET", "/api/v1/overview", null, "Bearer " + TOKEN, "evil.example:9000", true).status()).isEqualTo(200);
    }

    @Test
    void readsFromOtherHostsNeedTheToken() throws Exception {
        ApiResponse none = call("GET", "/api/v1/overview", null, null, "10.0.0.5:9000", false);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"switchboard\"");
        assertThat(call("GET", "/metrics", null, "Bearer nope", "10.0.0.5:9000", false).status()).isEqualTo(403);
        assertThat(call("GET", "/metrics", null, "Bearer " + TOKEN, "10.0.0.5:9000", false).status()).isEqualTo(200);
        assertThat(call("GET", "/", null, "bearer " + TOKEN, "10.0.0.5:9000", false).status()).isEqualTo(200);
    }

    @Test
    void aRotatedTokenAppliesAtOnce() throws Exception {
        auth.token("fedcba9876543210");
        assertThat(call("PATCH", "/api/v1/pools/app/backends/a", "{\"weight\":2}", "Bearer " + TOKEN, null, true).status())
                .isEqualTo(403);
        assertThat(call("PATCH", "/api/v1/pools/app/backends/a", "{\"weight\":2}", "Bearer fedcba9876543210", null, true)
                .status()).isEqualTo(200);
        assertThat(pool.snapshot().backends().member("a").weight()).isEqualTo(2);
    }

    @Test
    void patchAppliesBothChangesOrNeither() throws Exception {
        ApiResponse bad = call("PATCH", "/api/v1/pools/app/backends/a", "{\"weight\":4,\"state\":\"gone\"}", "Bearer " + TOKEN,
                null, true);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(pool.snapshot().backends().member("a").weight()).isEqualTo(1);
        long version = pool.snapshot().backends().version();
        assertThat(call("PATCH", "/api/v1/pools/app/backends/a", "{\"weight\":4,\"state\":\"drain\"}", "Bearer " + TOKEN, null,
                true).status()).isEqualTo(200);
        assertThat(pool.snapshot().backends().version()).isEqualTo(version + 1); // one batch, one publication
    }

    @Test
    void removeWithNothingInFlightIsImmediate() throws Exception {
        ApiResponse r = call("DELETE", "/api/v1/pools/app/backends/b", null, "Bearer " + TOKEN, null, true);
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r).get("drained").asBoolean()).isTrue();
        assertThat(pool.snapshot().backends().member("b")).isNull();
    }

    @Test
    void removeWaitsForInFlightThenRemoves() throws Exception {
        var b = pool.backend("b");
        b.onDispatch();
        var pending = api.handle(new ApiRequest("DELETE", "/api/v1/pools/app/backends/b", Map.of("deadline", List.of("20s")),
                "Bearer " + TOKEN, null, null, null, true));
        Thread.sleep(3 * AdminChanges.REMOVE_POLL_MILLIS);
        assertThat(pending).isNotDone();
        assertThat(pool.snapshot().backends().member("b").state().label()).isEqualTo("drain");
        b.onComplete(true, 1_000, System.nanoTime());
        ApiResponse r = pending.get(10, TimeUnit.SECONDS);
        assertThat(json(r).get("drained").asBoolean()).isTrue();
        assertThat(pool.snapshot().backends().member("b")).isNull();
    }

    @Test
    void deadlinesAreDurationsAsInTheConfigFile() {
        assertThat(AdminChanges.deadline(null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(AdminChanges.deadline("0")).isZero();
        assertThat(AdminChanges.deadline("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(AdminChanges.deadline("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(AdminChanges.deadline("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(AdminChanges.deadline("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(AdminChanges.deadline("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThatThrownBy(() -> AdminChanges.deadline("10m1ms")).hasMessage("deadline: '10m1ms' is longer than the maximum, 10m");
        assertThatThrownBy(() -> AdminChanges.deadline("5")).hasMessage("deadline: '5' has no unit (write 5s or 5ms)");
        assertThatThrownBy(() -> AdminChanges.deadline("-1s")).hasMessage("deadline: '-1s' is negative (durations are 0 or more)");
    }

    @Test
    void addressesAreReadAsInTheConfigFile() throws Exception {
        ApiResponse added = call("POST", "/api/v1/pools/app/backends", "{\"name\":\"c\",\"address\":\"app_1:80\",\"state\":\"maint\"}",
                "Bearer " + TOKEN, null, true);
        assertThat(added.status()).as("a Docker Compose name, as the config file allows").isEqualTo(201);
        assertThat(pool.snapshot().backends().member("c").backend().address()).isEqualTo("app_1:80");
        ApiResponse v6 = call("POST", "/api/v1/pools/app/backends", "{\"name\":\"d\",\"address\":\"[2001:db8::1]:443\"}",
                "Bearer " + TOKEN, null, true);
        assertThat(v6.status()).isEqualTo(201);
        assertThat(pool.snapshot().backends().member("d").backend().host()).isEqualTo("2001:db8::1");
        ApiResponse bad = call("POST", "/api/v1/pools/app/backends", "{\"name\":\"e\",\"address\":\"::1:80\"}",
                "Bearer " + TOKEN, null, true);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(json(bad).get("error").asText()).isEqualTo("address: '::1:80': an IPv6 address needs brackets, e.g. [::1]:80");
    }

    @Test
    void statesAreReadAsInTheConfigFile() throws Exception {
        assertThat(call("PATCH", "/api/v1/pools/app/backends/a", "{\"state\":\"DRAIN\"}", "Bearer " + TOKEN, null, true).status())
                .isEqualTo(200);
        assertThat(pool.snapshot().backends().member("a").admin()).isEqualTo(AdminState.DRAIN);
        ApiResponse number = call("PATCH", "/api/v1/pools/app/backends/a", "{\"state\":1}", "Bearer " + TOKEN, null, true);
        assertThat(number.status()).isEqualTo(400);
        assertThat(json(number).get("error").asText()).isEqualTo("state: expected a string; found number");
    }

    @Test
    void malformedBodiesAreExplainedWithLineAndColumn() throws Exception {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"weight\": }", "invalid JSON at line 1, column 12: expected a value after ':', found '}'");
        cases.put("{\"weight\": 3", "invalid JSON at line 1, column 13: the body ends before the object is closed with '}'");
        cases.put("{weight: 3}", "invalid JSON at line 1, column 2: expected a field name in double quotes, found 'w'");
        cases.put("{\"weight\" 3}", "invalid JSON at line 1, column 11: expected ':' after the field name, found '3'");
        cases.put("{\"weight\":1 \"state\":\"drain\"}",
                "invalid JSON at line 1, column 13: expected ',' or '}' after the field's value, found '\"'");
        cases.put("{\"weight\":1,}", "invalid JSON at line 1, column 13: expected a field name in double quotes, found '}'");
        cases.put("{\"state\":\n  drian}", "invalid JSON at line 2, column 3: unknown word 'drian' (a value is a string in"
                + " double quotes, a number, an object, an array, true, false or null)");
        cases.put("{\"state\":\"dr\u00e4in\", \"weight\": }",
                "invalid JSON at line 1, column 29: expected a value after ':', found '}'");
        cases.put("{\"weight\":1,\"weight\":2}", "invalid JSON at line 1, column 21: field 'weight' appears twice");
        cases.put("{\"weight\":1}{}",
                "invalid JSON at line 1, column 13: there is more after the end of the JSON object (send exactly one object)");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            ApiResponse r = call("PATCH", "/api/v1/pools/app/backends/a", c.getKey(), "Bearer " + TOKEN, null, true);
            assertThat(r.status()).as(c.getKey()).isEqualTo(400);
            String error = json(r).get("error").asText();
            assertThat(error).as(c.getKey()).isEqualTo(c.getValue());
            assertThat(error).as("no class or feature names").doesNotContain("Feature", "jackson", "`", "Source");
        }
        assertThat(pool.snapshot().backends().member("a").weight()).isEqualTo(1);
    }

    @Test
    void aDrainedBackendHasEffectiveWeightZeroInTheApiAndTheMetrics() throws Exception {
        assertThat(call("PATCH", "/api/v1/pools/app/backends/a", "{\"state\":\"drain\",\"weight\":3}", "Bearer " + TOKEN, null,
                true).status()).isEqualTo(200);
        JsonNode a = json(call("GET", "/api/v1/pools/app/backends/a", null, null, "127.0.0.1", true));
        JsonNode b = json(call("GET", "/api/v1/pools/app/backends/b", null, null, "127.0.0.1", true));
        PrometheusText m = PrometheusText.parse(new String(call("GET", "/metrics", null, null, "127.0.0.1", true).body(),
                StandardCharsets.UTF_8));
        assertThat(a.get("weight").asInt()).isEqualTo(3);
        assertThat(a.get("effectiveWeight").asInt()).as("no new requests go to a drained back end").isZero();
        assertThat(m.value("switchboard_backend_effective_weight", "pool", "app", "backend", "a"))
                .isEqualTo(a.get("effectiveWeight").asDouble());
        assertThat(b.get("effectiveWeight").asInt()).isEqualTo(1);
        assertThat(m.value("switchboard_backend_effective_weight", "pool", "app", "backend", "b"))
                .isEqualTo(b.get("effectiveWeight").asDouble());
    }

    @Test
    void hostHeaders() {
        assertThat(Auth.hostIsAddress("127.0.0.1:9000")).isTrue();
        assertThat(Auth.hostIsAddress("LOCALHOST")).isTrue();
        assertThat(Auth.hostIsAddress("[::1]")).isTrue();
        assertThat(Auth.hostIsAddress("10.1.2.3")).isTrue();
        assertThat(Auth.hostIsAddress("999.1.1.1")).isFalse();
        assertThat(Auth.hostIsAddress("example.com:9000")).isFalse();
        assertThat(Auth.hostIsAddress("127.0.0.1.nip.io")).isFalse();
    }
}
