package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import io.switchboard.load.ReportCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load feedback as the app wires it from a YAML file: a pushed report reaches the back end and
 * shows in the admin API's back-end JSON and in the metrics, with refusals counted by reason.
 */
class LoadFeedbackIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String TOKEN = "load-feedback-token-0123";

    @TempDir
    Path dir;

    private Switchboard switchboard;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stop() {
        if (switchboard != null) switchboard.close();
    }

    @Test
    void aPushedReportShowsInTheApiAndRefusalsInTheMetrics() throws Exception {
        Files.writeString(dir.resolve("agent.key"), Base64.getEncoder().encodeToString(KEY) + "\n");
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, """
                listeners:
                  - address: 127.0.0.1
                    port: 0
                    default-pool: app
                pools:
                  app:
                    load-feedback: push
                    servers:
                      - { name: web-1, address: 127.0.0.1:9 }
                load-reports:
                  listen: 127.0.0.1:0
                  key-file: agent.key
                watch-config: false
                access-log: "off"
                admin:
                  address: 127.0.0.1
                  port: 0
                  token: %s
                """.formatted(TOKEN));
        switchboard = Switchboard.start(ConfigLoader.load(file).config());
        assertThat(switchboard.loadReportAddress()).isNotNull();

        ReportCodec codec = new ReportCodec(KEY);
        LoadReport report = new LoadReport(0, 0, 0.5, 2.25, 4, 3, 1L << 30, 40, LoadReport.UNKNOWN, LoadReport.UNKNOWN,
                60, LoadReport.UNKNOWN, AgentState.DRAIN);
        byte[] good = codec.encode("web-1", 1, System.currentTimeMillis(), report);
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.send(ByteBuffer.wrap(good), switchboard.loadReportAddress());
            await().atMost(Duration.ofSeconds(10)).until(() -> switchboard.loadReportCounters().acceptedTotal() == 1);
            ch.send(ByteBuffer.wrap(good), switchboard.loadReportAddress()); // replayed
            await().atMost(Duration.ofSeconds(10)).until(
                    () -> switchboard.loadReportCounters().refusedTotal(ReportCodec.Reason.REPLAYED) == 1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> switchboard.pools().get("app").backend("web-1").loadReport() != null);

        JsonNode b = JSON.readTree(get("/api/v1/pools/app/backends/web-1").body());
        JsonNode lr = b.path("loadReport");
        assertThat(lr.path("state").asText()).isEqualTo("drain");
        assertThat(lr.path("weightPercent").asInt()).isEqualTo(60);
        assertThat(lr.path("cpuBusy").asDouble()).isEqualTo(0.5);
        assertThat(lr.path("load1").asDouble()).isEqualTo(2.25);
        assertThat(lr.path("sequence").asLong()).isEqualTo(1);
        assertThat(lr.path("ageMillis").asLong()).isNotNegative();
        assertThat(lr.path("maxConn").isNull()).isTrue();

        String metrics = get("/metrics").body();
        assertThat(metrics).contains("switchboard_load_reports_total{result=\"accepted\"} 1.0");
        assertThat(metrics).contains("switchboard_load_reports_total{result=\"replayed\"} 1.0");
        assertThat(metrics).contains("switchboard_load_reports_total{result=\"bad_mac\"} 0.0");
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(switchboard.admin().url().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }
}
