package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.admin.metrics.SwitchboardCollector;
import io.switchboard.admin.stats.Sampler;
import io.switchboard.admin.stats.Traffic;
import io.switchboard.dispatch.SessionTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/listeners/{name}/sessions} and the TCP session metrics, over a {@link SessionTable} without sockets. */
class SessionsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
    private final SessionTable table = new SessionTable();
    private final AdminApi api;

    SessionsApiTest() {
        Traffic traffic = new Traffic();
        Dispatcher d = new StubDispatcher() {
            @Override public List<ListenerInfo> listeners() {
                return List.of(new ListenerInfo("db", "127.0.0.1", 6379, "redis"), new ListenerInfo("web", "127.0.0.1", 80, "app"));
            }
            @Override public SessionTable sessions() { return table; }
        };
        api = new AdminApi(d, traffic, new Sampler(traffic), new Auth("0123456789abcdef"), new Json(),
                new MetricsEndpoint(new SwitchboardCollector(d::pools, traffic, d::accessLog, d::queueLength, d::queuedByClass,
                        d::listenerCounters, d::persistence, d::sessions)),
                new StaticFiles(), worker, System::nanoTime);
    }

    @AfterEach
    void stop() {
        worker.shutdownNow();
    }

    private ApiResponse get(String path, Map<String, List<String>> query) throws Exception {
        return api.handle(new ApiRequest("GET", path, query, null, "127.0.0.1", null, null, true)).get(10, TimeUnit.SECONDS);
    }

    /** Five sessions on "db": s1..s5 from ports 40001..40005, bound to a, b, a, b, and the last still connecting. */
    private List<SessionTable.Session> fill() {
        List<SessionTable.Session> out = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            SessionTable.Session s = table.open("db", "10.0.0.1:" + (40000 + i), 1_700_000_000_000L + i);
            if (i < 5) s.bind("redis", i % 2 == 1 ? "a" : "b");
            s.up(10 * i);
            s.down(100 * i);
            out.add(s);
        }
        return out;
    }

    @Test
    void pagesTheListenersSessionsFilteredByServer() throws Exception {
        fill();
        JsonNode all = JSON.readTree(get("/api/v1/listeners/db/sessions", Map.of()).body());
        assertThat(all.get("total").asInt()).isEqualTo(5);
        assertThat(all.get("sessions")).hasSize(5);
        assertThat(all.get("next").isNull()).isTrue();
        JsonNode first = all.get("sessions").get(0);
        assertThat(first.get("client").asText()).isEqualTo("10.0.0.1:40001");
        assertThat(first.get("pool").asText()).isEqualTo("redis");
        assertThat(first.get("server").asText()).isEqualTo("a");
        assertThat(first.get("since").asText()).isEqualTo("2023-11-14T22:13:20.001Z");
        assertThat(first.get("bytesUp").asLong()).isEqualTo(10);
        assertThat(first.get("bytesDown").asLong()).isEqualTo(100);
        assertThat(all.get("sessions").get(4).get("server").isNull()).isTrue();

        ApiResponse r = get("/api/v1/listeners/db/sessions", Map.of("server", List.of("b"), "limit", List.of("1")));
        assertThat(r.status()).isEqualTo(200);
        JsonNode page = JSON.readTree(r.body());
        assertThat(page.get("total").asInt()).isEqualTo(2);
        assertThat(page.get("sessions")).hasSize(1);
        assertThat(page.get("sessions").get(0).get("client").asText()).isEqualTo("10.0.0.1:40002");
        assertThat(page.get("next").asInt()).isEqualTo(1);
        JsonNode second = JSON.readTree(get("/api/v1/listeners/db/sessions",
                Map.of("server", List.of("b"), "limit", List.of("1"), "offset", List.of("1"))).body());
        assertThat(second.get("sessions").get(0).get("client").asText()).isEqualTo("10.0.0.1:40004");
        assertThat(second.get("next").isNull()).isTrue();

        assertThat(JSON.readTree(get("/api/v1/listeners/web/sessions", Map.of()).body()).get("total").asInt()).isZero();
    }

    @Test
    void anEndedSessionLeavesTheTable() throws Exception {
        List<SessionTable.Session> s = fill();
        table.close(s.get(0));
        table.close(s.get(0)); // idempotent
        JsonNode a = JSON.readTree(get("/api/v1/listeners/db/sessions", Map.of("server", List.of("a"))).body());
        assertThat(a.get("total").asInt()).isEqualTo(1);
        assertThat(a.get("sessions").get(0).get("client").asText()).isEqualTo("10.0.0.1:40003");
    }

    @Test
    void badQueriesAndUnknownListenersAreRefused() throws Exception {
        assertThat(get("/api/v1/listeners/db/sessions", Map.of("limit", List.of("0"))).status()).isEqualTo(400);
        assertThat(get("/api/v1/listeners/db/sessions", Map.of("offset", List.of("-1"))).status()).isEqualTo(400);
        assertThat(get("/api/v1/listeners/nope/sessions", Map.of()).status()).isEqualTo(404);
        assertThat(get("/api/v1/listeners/db/other", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void metricsCountOpenSessionsPerListenerAndServerAndBytesEachWay() throws Exception {
        List<SessionTable.Session> s = fill();
        table.close(s.get(1));
        String text = new String(get("/metrics", Map.of()).body(), StandardCharsets.UTF_8);
        assertThat(text).contains("switchboard_tcp_sessions_open{listener=\"db\"} 4.0")
                .contains("switchboard_tcp_server_sessions_open{listener=\"db\",pool=\"redis\",server=\"a\"} 2.0")
                .contains("switchboard_tcp_server_sessions_open{listener=\"db\",pool=\"redis\",server=\"b\"} 1.0")
                .contains("switchboard_tcp_sessions_total{listener=\"db\"} 5.0")
                .contains("switchboard_tcp_session_bytes_total{direction=\"up\",listener=\"db\"} 150.0")
                .contains("switchboard_tcp_session_bytes_total{direction=\"down\",listener=\"db\"} 1500.0");
    }
}
