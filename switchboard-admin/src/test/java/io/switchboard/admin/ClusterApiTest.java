package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.admin.metrics.SwitchboardCollector;
import io.switchboard.admin.stats.Sampler;
import io.switchboard.admin.stats.Traffic;
import io.switchboard.cluster.ClusterStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/cluster} and the cluster metrics, over a fixed {@link ClusterStatus} without sockets. */
class ClusterApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long T0 = 1_700_000_000_000L;

    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
    private volatile ClusterStatus status;
    private final AdminApi api;

    ClusterApiTest() {
        Traffic traffic = new Traffic();
        Dispatcher d = new StubDispatcher() {
            @Override public ClusterStatus clusterStatus() { return status; }
        };
        api = new AdminApi(d, traffic, new Sampler(traffic), new Auth("0123456789abcdef"), new Json(),
                new MetricsEndpoint(new SwitchboardCollector(d::pools, traffic, d::accessLog, d::queueLength, d::queuedByClass,
                        d::listenerCounters, d::persistence, d::sessions, d::loadReports, d::dns, d::clusterStatus)),
                new StaticFiles(), worker, System::nanoTime);
    }

    @AfterEach
    void stop() {
        worker.shutdownNow();
    }

    /** Three members, sb1 the coordinator, this node sb2; sb3 young; two addresses. */
    static ClusterStatus threeMembers() {
        Map<String, String> assignment = new LinkedHashMap<>();
        assignment.put("10.77.0.100/24", "sb1");
        assignment.put("10.77.0.101/24", "sb2");
        return new ClusterStatus("sb2", "switchboard", 7, "sb1", List.of(
                new ClusterStatus.Member("sb1", "10.77.0.11:7800", T0, true, List.of("10.77.0.100/24")),
                new ClusterStatus.Member("sb2", "10.77.0.12:7800", T0 + 1500, true, List.of("10.77.0.101/24")),
                new ClusterStatus.Member("sb3", "10.77.0.13:7800", T0 + 90_000, false, List.of())),
                assignment, List.of("10.77.0.101/24"), new ClusterStatus.Replication(12, 30, 28, 2));
    }

    /** From loopback; a POST carries the token (loopback reads need none). */
    private ApiResponse call(String method, String path) throws Exception {
        String authorization = method.equals("GET") ? null : "Bearer 0123456789abcdef";
        return api.handle(new ApiRequest(method, path, Map.of(), authorization, "127.0.0.1", null, null, true))
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void withoutAClusterTheResourceIsNotFoundAndNoClusterMetricIsExported() throws Exception {
        ApiResponse r = call("GET", "/api/v1/cluster");
        assertThat(r.status()).isEqualTo(404);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"status\":404,\"error\":\"this node is not in a cluster (its config has no cluster section)\"}");
        assertThat(new String(call("GET", "/metrics").body(), StandardCharsets.UTF_8)).doesNotContain("switchboard_cluster_");
    }

    @Test
    void showsTheMembersTheCoordinatorAndWhoHoldsWhichAddress() throws Exception {
        status = threeMembers();
        ApiResponse r = call("GET", "/api/v1/cluster");
        assertThat(r.status()).isEqualTo(200);
        JsonNode c = JSON.readTree(r.body());
        assertThat(c.get("self").asText()).isEqualTo("sb2");
        assertThat(c.get("group").asText()).isEqualTo("switchboard");
        assertThat(c.get("viewId").asLong()).isEqualTo(7);
        assertThat(c.get("coordinator").asText()).isEqualTo("sb1");
        assertThat(c.get("assignment").toString()).isEqualTo("{\"10.77.0.100/24\":\"sb1\",\"10.77.0.101/24\":\"sb2\"}");
        assertThat(c.get("held").toString()).isEqualTo("[\"10.77.0.101/24\"]");
        assertThat(c.get("replication").toString()).isEqualTo("{\"sent\":12,\"received\":30,\"applied\":28,\"dropped\":2}");
        assertThat(c.get("members")).hasSize(3);
        assertThat(c.get("members").get(0).toString()).isEqualTo("{\"name\":\"sb1\",\"endpoint\":\"10.77.0.11:7800\","
                + "\"joinedAt\":\"2023-11-14T22:13:20Z\",\"joinedAtMillis\":1700000000000,\"mature\":true,\"self\":false,"
                + "\"coordinator\":true,\"vips\":[\"10.77.0.100/24\"]}");
        JsonNode sb2 = c.get("members").get(1);
        assertThat(sb2.get("self").asBoolean()).isTrue();
        assertThat(sb2.get("coordinator").asBoolean()).isFalse();
        JsonNode sb3 = c.get("members").get(2);
        assertThat(sb3.get("mature").asBoolean()).isFalse();
        assertThat(sb3.get("vips")).isEmpty();
    }

    @Test
    void onlyGetAndNoSubResources() throws Exception {
        status = threeMembers();
        ApiResponse post = call("POST", "/api/v1/cluster");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.headers()).containsEntry("Allow", "GET");
        assertThat(call("GET", "/api/v1/cluster/members").status()).isEqualTo(404);
    }

    @Test
    void metricsCountMembersHeldAddressesAndReplication() throws Exception {
        status = threeMembers();
        String m = new String(call("GET", "/metrics").body(), StandardCharsets.UTF_8);
        assertThat(m).contains("switchboard_cluster_members 3.0\n")
                .contains("switchboard_cluster_held_addresses 1.0\n")
                .contains("switchboard_cluster_coordinator 0.0\n")
                .contains("switchboard_cluster_view_id 7.0\n")
                .contains("switchboard_cluster_replication_messages_total{event=\"sent\"} 12.0\n")
                .contains("switchboard_cluster_replication_messages_total{event=\"dropped\"} 2.0\n");
    }
}
