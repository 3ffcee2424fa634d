package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import io.switchboard.load.ReportCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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

    private final List<ServerSocket> responders = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (switchboard != null) switchboard.close();
        for (ServerSocket s : responders) s.close();
    }

    @Test
    void agentCheckPullsFollowReloadsAndTheReceiverStartsAndStopsWithPushPools() throws Exception {
        Files.write(dir.resolve("agent.key"), KEY);
        Path file = dir.resolve("switchboard.yaml");
        int first = respond("50% up\n");
        int second = respond("25% drain # going away\n");
        Files.writeString(file, feedbackConfig("{agent-check: {port: " + first + ", interval: 100ms, timeout: 2s}}"));
        switchboard = Switchboard.start(ConfigLoader.load(file).config());
        assertThat(switchboard.loadReportAddress()).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> report() != null && report().weightPercent() == 50);
        assertThat(report().state()).isEqualTo(AgentState.UP);

        Files.writeString(file, feedbackConfig("{agent-check: {port: " + second + ", interval: 100ms, timeout: 2s}}"));
        switchboard.reload(ConfigLoader.load(file).config());
        await().atMost(Duration.ofSeconds(10)).until(() -> report().state() == AgentState.DRAIN);
        assertThat(report().weightPercent()).isEqualTo(25);

        Files.writeString(file, feedbackConfig("push"));
        switchboard.reload(ConfigLoader.load(file).config());
        assertThat(switchboard.loadReportAddress()).isNotNull();
        long pulled = switchboard.loadReportCounters().pullsAnsweredTotal();

        Files.writeString(file, feedbackConfig("push").replace("    load-feedback: push\n", ""));
        switchboard.reload(ConfigLoader.load(file).config());
        assertThat(switchboard.loadReportAddress()).isNull();
        // pulls stopped with the agent-check setting (one may have been in flight at the reload)
        assertThat(switchboard.loadReportCounters().pullsAnsweredTotal()).isLessThanOrEqualTo(pulled + 1);
    }

    private LoadReport report() {
        return switchboard.pools().get("app").backend("web-1").loadReport();
    }

    private static String feedbackConfig(String feedback) {
        return """
                listeners:
                  - address: 127.0.0.1
                    port: 0
                    default-pool: app
                pools:
                  app:
                    load-feedback: %s
                    servers:
                      - { name: web-1, address: 127.0.0.1:9 }
                load-reports:
                  listen: 127.0.0.1:0
                  key-file: agent.key
                watch-config: false
                access-log: "off"
                admin: {enabled: false}
                """.formatted(feedback);
    }

    /** A one-line agent on loopback: answers {@code line} to every connection; bounded to 10,000 answers. */
    private int respond(String line) throws Exception {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        responders.add(server);
        Thread.ofPlatform().daemon().start(() -> {
            for (int i = 0; i < 10_000 && !server.isClosed(); i++) {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(line.getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return; // closed by the test
                }
            }
        });
        return server.getLocalPort();
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
