package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.backend.BackendState;
import io.switchboard.config.AdminState;
import io.switchboard.proxy.demo.DemoBackend;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API over real sockets: who may do what, reads, every change, remove-with-drain, reload. */
class AdminIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private AdminFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture().start();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    private static List<String> names(JsonNode backends) {
        return StreamSupport.stream(backends.spliterator(), false).map(b -> b.get("name").asText()).toList();
    }

    @Test
    void readsAreOpenOnLoopback() throws Exception {
        for (int i = 0; i < 6; i++) assertThat(f.proxyGet("/").statusCode()).isEqualTo(200);

        HttpResponse<String> r = f.get("/api/v1/overview");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode o = json(r);
        assertThat(o.get("changesEnabled").asBoolean()).isTrue();
        assertThat(o.get("listeners").get(0).get("port").asInt()).isEqualTo(f.proxyPort());
        JsonNode pool = o.get("pools").get(0);
        assertThat(pool.get("name").asText()).isEqualTo("demo");
        assertThat(pool.get("algorithm").asText()).isEqualTo("round-robin");
        assertThat(names(pool.get("backends"))).containsExactly("alpha", "bravo", "charlie");
        assertThat(pool.get("statusClasses").get("2xx").asLong()).isEqualTo(6);
        JsonNode alpha = pool.get("backends").get(0);
        assertThat(alpha.get("state").asText()).isEqualTo("up");
        assertThat(alpha.get("weight").asInt()).isEqualTo(1);
        assertThat(alpha.get("requests").asLong()).isEqualTo(2);
        assertThat(alpha.get("statusClasses").get("2xx").asLong()).isEqualTo(2);
        assertThat(alpha.get("bytesOut").asLong()).isEqualTo("alpha\n".length() * 2L);
        assertThat(alpha.get("inFlight").asInt()).isZero();

        JsonNode listeners = json(f.get("/api/v1/listeners"));
        assertThat(listeners.get(0).get("defaultPool").asText()).isEqualTo("demo");
        assertThat(listeners.get(0).get("routes").get(0).get("name").asText()).isEqualTo("no-admin");
        JsonNode routes = json(f.get("/api/v1/listeners/demo/routes"));
        assertThat(routes).hasSize(2);
        assertThat(routes.get(0).get("conditions").asText()).isEqualTo("path starts with /admin");
        assertThat(routes.get(1).get("hits").asLong()).isEqualTo(7);
        assertThat(f.get("/api/v1/listeners/nope/routes").statusCode()).isEqualTo(404);
        assertThat(f.get("/api/v1/listeners/demo/other").statusCode()).isEqualTo(404);
        assertThat(names(json(f.get("/api/v1/pools/demo/backends")))).containsExactly("alpha", "bravo", "charlie");
        assertThat(json(f.get("/api/v1/pools/demo/backends/bravo")).get("address").asText())
                .isEqualTo("127.0.0.1:" + f.backend("bravo").port());
        assertThat(json(f.get("/api/v1/pools")).get(0).get("size").asInt()).isEqualTo(3);
    }

    @Test
    void latencyPercentilesAndHistoryAppearOnceSampled() throws Exception {
        for (int i = 0; i < 9; i++) assertThat(f.proxyGet("/delay?ms=30").statusCode()).isEqualTo(200);
        f.call("PATCH", "/api/v1/pools/demo/backends/charlie", "{\"state\":\"maint\"}", AdminFixture.TOKEN);
        // the sampler needs two ticks a second apart to have a window
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode alpha = json(f.get("/api/v1/pools/demo/backends/alpha"));
            assertThat(alpha.get("latency").get("requests").asLong()).isEqualTo(3);
        });
        JsonNode alpha = json(f.get("/api/v1/pools/demo/backends/alpha"));
        assertThat(alpha.get("latency").get("p50Ms").asDouble()).isGreaterThanOrEqualTo(20.0).isLessThan(1000.0);
        assertThat(alpha.get("latency").get("p99Ms").asDouble()).isGreaterThanOrEqualTo(alpha.get("latency").get("p50Ms").asDouble());
        JsonNode charlie = json(f.get("/api/v1/pools/demo/backends/charlie"));
        assertThat(charlie.get("history").get(0).get("to").asText()).isEqualTo("maint");
        assertThat(charlie.get("history").get(0).get("from").asText()).isEqualTo("up");
        assertThat(charlie.get("history").get(0).get("cause").asText()).isEqualTo("operator: maint (admin API)");
        assertThat(json(f.get("/api/v1/pools/demo")).get("history").get(0).get("backend").asText()).isEqualTo("charlie");
    }

    @Test
    void changesNeedTheToken() throws Exception {
        HttpResponse<String> none = f.call("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"state\":\"drain\"}", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"switchboard\"");
        assertThat(json(none).get("error").asText()).contains("Authorization: Bearer");

        HttpResponse<String> wrong = f.call("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"state\":\"drain\"}", "nope");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(json(wrong).get("error").asText()).isEqualTo("the admin token is wrong");

        assertThat(f.call("POST", "/api/v1/reload", null, null).statusCode()).isEqualTo(401);
        assertThat(f.call("DELETE", "/api/v1/pools/demo/backends/alpha", null, "nope").statusCode()).isEqualTo(403);
        assertThat(f.call("POST", "/api/v1/pools/demo/backends", "{\"name\":\"x\",\"address\":\"127.0.0.1:1\"}", null)
                .statusCode()).isEqualTo(401);
        assertThat(f.pool.snapshot().backends().member("alpha").admin()).isEqualTo(AdminState.READY);
        assertThat(f.pool.snapshot().backends().members()).hasSize(3);
    }

    @Test
    void withoutAConfiguredTokenTheApiIsReadOnly() throws Exception {
        f.close();
        f = new AdminFixture().start(null, "alpha");
        assertThat(f.get("/api/v1/overview").statusCode()).isEqualTo(200);
        assertThat(json(f.get("/api/v1/overview")).get("changesEnabled").asBoolean()).isFalse();
        HttpResponse<String> none = f.call("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"weight\":2}", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(json(none).get("error").asText()).contains("none is configured");
        HttpResponse<String> any = f.call("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"weight\":2}", "guess");
        assertThat(any.statusCode()).isEqualTo(403);
        assertThat(json(any).get("error").asText()).startsWith("changes are disabled");
    }

    @Test
    void setWeightAndStateGoThroughThePool() throws Exception {
        HttpResponse<String> r = f.call("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"weight\":5,\"state\":\"drain\"}",
                AdminFixture.TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode b = json(r);
        assertThat(b.get("weight").asInt()).isEqualTo(5);
        assertThat(b.get("state").asText()).isEqualTo("drain");
        assertThat(b.get("admin").asText()).isEqualTo("drain");
        var m = f.pool.snapshot().backends().member("alpha");
        assertThat(m.weight()).isEqualTo(5);
        assertThat(m.state()).isEqualTo(BackendState.DRAIN);
        for (int i = 0; i < 6; i++) assertThat(f.proxyGet("/").body()).isNotEqualTo("alpha\n");

        assertThat(json(f.call("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"state\":\"ready\"}", AdminFixture.TOKEN))
                .get("state").asText()).isEqualTo("up");
        assertThat(json(f.call("PATCH", "/api/v1/pools/demo/backends/bravo", "{\"state\":\"maint\"}", AdminFixture.TOKEN))
                .get("state").asText()).isEqualTo("maint");
        assertThat(f.pool.snapshot().backends().member("bravo").state()).isEqualTo(BackendState.MAINT);
    }

    @Test
    void addAndTrafficReachesTheNewBackend() throws Exception {
        DemoBackend delta = f.newBackend("delta");
        HttpResponse<String> r = f.call("POST", "/api/v1/pools/demo/backends",
                "{\"name\":\"delta\",\"address\":\"127.0.0.1:" + delta.port() + "\",\"weight\":2}", AdminFixture.TOKEN);
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/pools/demo/backends/delta");
        assertThat(json(r).get("state").asText()).isEqualTo("up");
        assertThat(json(r).get("weight").asInt()).isEqualTo(2);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 10; i++) bodies.add(f.proxyGet("/").body());
        assertThat(bodies).contains("delta\n");

        HttpResponse<String> dup = f.call("POST", "/api/v1/pools/demo/backends",
                "{\"name\":\"delta\",\"address\":\"127.0.0.1:" + delta.port() + "\"}", AdminFixture.TOKEN);
        assertThat(dup.statusCode()).isEqualTo(409);
        assertThat(json(dup).get("error").asText()).isEqualTo("pool 'demo' already has a back end named 'delta'");
    }

    @Test
    void badRequestsSayWhatIsWrong() throws Exception {
        String t = AdminFixture.TOKEN;
        record Case(String method, String path, String body, int status, String error) {}
        List<Case> cases = List.of(
                new Case("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"wieght\":2}", 400,
                        "unknown field 'wieght' (allowed: weight, state)"),
                new Case("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"weight\":300}", 400,
                        "weight: 300 is not a whole number in 0-256"),
                new Case("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"state\":\"off\"}", 400,
                        "state: unknown state 'off' (allowed: ready, drain, maint)"),
                new Case("PATCH", "/api/v1/pools/demo/backends/alpha", "{}", 400,
                        "nothing to change: give 'weight' (0-256), 'state' (ready, drain, maint) or both"),
                new Case("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"weight\":", 400,
                        "invalid JSON at line 1, column 11: the body ends before the object is closed with '}'"),
                new Case("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"weight\": [1, }", 400,
                        "invalid JSON at line 1, column 16: expected a value after ',', found '}'"),
                new Case("PATCH", "/api/v1/pools/demo/backends/alpha", "{\n  \"state\": 'drain'\n}", 400,
                        "invalid JSON at line 2, column 12: expected a value after ':', found a single quote (strings"
                                + " take double quotes)"),
                new Case("PATCH", "/api/v1/pools/demo/backends/zulu", "{\"weight\":1}", 404,
                        "pool 'demo' has no back end named 'zulu' (has: alpha, bravo, charlie)"),
                new Case("GET", "/api/v1/pools/app", null, 404, "no pool named 'app' (pools: demo)"),
                new Case("POST", "/api/v1/pools/demo/backends", "{\"name\":\"x\"}", 400, "address: required field is missing"),
                new Case("POST", "/api/v1/pools/demo/backends", "{\"name\":\"x\",\"address\":\"127.0.0.1\"}", 400,
                        "address: '127.0.0.1' has no port (expected host:port, e.g. 10.0.0.5:8080, app_1:80 or [::1]:80)"),
                new Case("POST", "/api/v1/pools/demo/backends", "{\"name\":\"-x\",\"address\":\"127.0.0.1:80\"}", 400,
                        "name: '-x' is not a valid name (use up to 64 letters, digits, '.', '_' or '-', starting with a"
                                + " letter or digit)"),
                new Case("DELETE", "/api/v1/pools/demo/backends/alpha?deadline=30", null, 400,
                        "deadline: '30' has no unit (write 30s or 30ms)"),
                new Case("PUT", "/api/v1/pools/demo/backends/alpha", "{}", 405,
                        "method not allowed here (allowed: GET, PATCH, DELETE)"),
                new Case("GET", "/api/v1/nothing", null, 404, "no such resource: /api/v1/nothing"));
        for (Case c : cases) {
            HttpResponse<String> r = f.call(c.method, c.path, c.body, t);
            assertThat(r.statusCode()).as(c.method + " " + c.path + " " + c.body).isEqualTo(c.status);
            JsonNode j = json(r);
            assertThat(j.get("status").asInt()).isEqualTo(c.status);
            if (c.error != null) assertThat(j.get("error").asText()).as(c.path).isEqualTo(c.error);
        }
        HttpResponse<String> put = f.call("PUT", "/api/v1/pools/demo/backends/alpha", "{}", t);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, PATCH, DELETE");

        // not JSON
        var req = java.net.http.HttpRequest.newBuilder(f.adminUri("/api/v1/pools/demo/backends/alpha"))
                .header("Authorization", "Bearer " + t).header("Content-Type", "text/plain")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("weight=2")).build();
        assertThat(f.client().send(req, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(415);
        // too large
        String big = "{\"weight\":1,\"pad\":\"" + "x".repeat(AdminServer.MAX_BODY) + "\"}";
        assertThat(f.call("PATCH", "/api/v1/pools/demo/backends/alpha", big, t).statusCode()).isEqualTo(413);
        assertThat(f.pool.snapshot().backends().member("alpha").weight()).isEqualTo(1);
    }

    @Test
    void removeDrainsFirstThenRemovesWhenInFlightReachesZero() throws Exception {
        // round robin over three: six slow requests put two in flight on each back end
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            slow.add(f.client().sendAsync(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + f.proxyPort() + "/delay?ms=1500")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        var bravo = f.pool.backend("bravo");
        await().atMost(Duration.ofSeconds(10)).until(() -> bravo.inFlight() > 0);

        CompletableFuture<HttpResponse<String>> delete = CompletableFuture.supplyAsync(() -> {
            try {
                return f.call("DELETE", "/api/v1/pools/demo/backends/bravo?deadline=20s", null, AdminFixture.TOKEN);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        // while it waits, bravo is draining: listed, no new requests
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(json(f.get("/api/v1/pools/demo/backends/bravo")).get("state").asText()).isEqualTo("drain"));
        assertThat(delete).isNotDone();
        long bravoBefore = f.backend("bravo").requestCount();
        for (int i = 0; i < 4; i++) assertThat(f.proxyGet("/").body()).isNotEqualTo("bravo\n");
        assertThat(f.backend("bravo").requestCount()).isEqualTo(bravoBefore);

        HttpResponse<String> r = delete.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode res = json(r);
        assertThat(res.get("removed").asBoolean()).isTrue();
        assertThat(res.get("drained").asBoolean()).isTrue();
        assertThat(res.get("inFlightAtRemoval").asInt()).isZero();
        for (CompletableFuture<HttpResponse<String>> s : slow) assertThat(s.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(f.pool.snapshot().backends().member("bravo")).isNull();
        assertThat(f.get("/api/v1/pools/demo/backends/bravo").statusCode()).isEqualTo(404);
        assertThat(json(f.get("/api/v1/pools/demo")).get("history").get(0).get("cause").asText()).isEqualTo("removed");
    }

    @Test
    void removeAtTheDeadlineLeavesRequestsInFlightToFinish() throws Exception {
        f.call("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"state\":\"maint\"}", AdminFixture.TOKEN);
        f.call("PATCH", "/api/v1/pools/demo/backends/charlie", "{\"state\":\"maint\"}", AdminFixture.TOKEN);
        CompletableFuture<HttpResponse<String>> slow = f.client().sendAsync(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + f.proxyPort() + "/delay?ms=2500")).build(),
                HttpResponse.BodyHandlers.ofString());
        var bravo = f.pool.backend("bravo");
        await().atMost(Duration.ofSeconds(10)).until(() -> bravo.inFlight() == 1);
        HttpResponse<String> r = f.call("DELETE", "/api/v1/pools/demo/backends/bravo?deadline=100ms", null, AdminFixture.TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode res = json(r);
        assertThat(res.get("removed").asBoolean()).isTrue();
        assertThat(res.get("drained").asBoolean()).isFalse();
        assertThat(res.get("inFlightAtRemoval").asInt()).isEqualTo(1);
        assertThat(f.pool.snapshot().backends().member("bravo")).isNull();
        HttpResponse<String> s = slow.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(s.statusCode()).isEqualTo(200);
        assertThat(s.body()).isEqualTo("bravo\n");
    }

    @Test
    void settingStateBackToReadyCancelsARemoval() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = f.client().sendAsync(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + f.proxyPort() + "/delay?ms=3000")).build(),
                HttpResponse.BodyHandlers.ofString());
        var alpha = f.pool.backend("alpha");
        await().atMost(Duration.ofSeconds(10)).until(() -> alpha.inFlight() == 1);
        CompletableFuture<HttpResponse<String>> delete = CompletableFuture.supplyAsync(() -> {
            try {
                return f.call("DELETE", "/api/v1/pools/demo/backends/alpha", null, AdminFixture.TOKEN);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> f.pool.snapshot().backends().member("alpha").admin() == AdminState.DRAIN);
        assertThat(f.call("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"state\":\"ready\"}", AdminFixture.TOKEN)
                .statusCode()).isEqualTo(200);
        HttpResponse<String> r = delete.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(json(r).get("error").asText()).contains("cancelled");
        assertThat(f.pool.snapshot().backends().member("alpha").state()).isEqualTo(BackendState.UP);
        assertThat(slow.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void reloadReportsWhatHappened() throws Exception {
        HttpResponse<String> ok = f.call("POST", "/api/v1/reload", null, AdminFixture.TOKEN);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(ok).get("applied").asBoolean()).isTrue();

        f.reload = () -> new Dispatcher.ReloadOutcome(false, "demo.yaml", null,
                List.of("demo.yaml:3: listeners[0].port: 'x' is not a whole number (allowed: 0-65535)"), List.of());
        HttpResponse<String> bad = f.call("POST", "/api/v1/reload", null, AdminFixture.TOKEN);
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(json(bad).get("errors").get(0).asText()).startsWith("demo.yaml:3: listeners[0].port");

        f.configFile = null;
        HttpResponse<String> none = f.call("POST", "/api/v1/reload", null, AdminFixture.TOKEN);
        assertThat(none.statusCode()).isEqualTo(409);
    }

    @Test
    void servesTheDashboard() throws Exception {
        HttpResponse<String> page = f.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).contains("default-src 'none'"));
        assertThat(page.body()).contains("<script src=\"dashboard.js\"></script>").doesNotContain("http://", "https://");
        assertThat(f.get("/dashboard.js").headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(f.get("/dashboard.css").statusCode()).isEqualTo(200);
        assertThat(f.get("/favicon.svg").statusCode()).isEqualTo(200);
        assertThat(f.get("/../pom.xml").statusCode()).isEqualTo(404);
        assertThat(f.call("POST", "/", "{}", AdminFixture.TOKEN).statusCode()).isEqualTo(405);
    }
}
