package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.proxy.demo.DemoBackend;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code mode: tcp} listener as the app wires it from a YAML file, with the binding table read
 * through the real admin listener: an HTTP back end relayed at layer 4, its session listed with its
 * server while it is open, counted in {@code /metrics}, and gone once the client closes.
 */
class TcpListenerIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private DemoBackend alpha;
    private Switchboard switchboard;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stop() {
        if (switchboard != null) switchboard.close();
        if (alpha != null) alpha.close();
    }

    private String admin(String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(switchboard.admin().url().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(20)).GET().build();
        HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return res.body();
    }

    @Test
    void anOpenSessionIsInTheBindingTableAndTheMetricsUntilItEnds() throws Exception {
        alpha = new DemoBackend("alpha").start("127.0.0.1", 0);
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, """
                listeners:
                  - name: relay
                    mode: tcp
                    address: 127.0.0.1
                    port: 0
                    default-pool: app
                pools:
                  app:
                    servers:
                      - { name: alpha, address: 127.0.0.1:%d }
                watch-config: false
                admin:
                  address: 127.0.0.1
                  port: 0
                """.formatted(alpha.port()));
        switchboard = Switchboard.start(ConfigLoader.load(file).config());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", switchboard.boundAddress("relay").getPort()), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readUntil(s.getInputStream(), "alpha\n")).startsWith("HTTP/1.1 200");

            JsonNode page = JSON.readTree(admin("/api/v1/listeners/relay/sessions?server=alpha"));
            assertThat(page.get("total").asInt()).isEqualTo(1);
            JsonNode session = page.get("sessions").get(0);
            assertThat(session.get("client").asText()).isEqualTo("127.0.0.1:" + s.getLocalPort());
            assertThat(session.get("pool").asText()).isEqualTo("app");
            assertThat(session.get("bytesUp").asLong()).isEqualTo(27);
            assertThat(session.get("bytesDown").asLong()).isPositive();
            assertThat(admin("/metrics")).contains("switchboard_tcp_sessions_open{listener=\"relay\"} 1.0")
                    .contains("switchboard_tcp_server_sessions_open{listener=\"relay\",pool=\"app\",server=\"alpha\"} 1.0");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(JSON.readTree(admin("/api/v1/listeners/relay/sessions")).get("total").asInt()).isZero());
        assertThat(admin("/metrics")).contains("switchboard_tcp_sessions_total{listener=\"relay\"} 1.0")
                .contains("switchboard_tcp_session_bytes_total{direction=\"up\",listener=\"relay\"} 27.0");
    }

    /** Reads until the text read so far ends with {@code end}; bounded by the socket's timeout and 64 kB. */
    private static String readUntil(InputStream in, String end) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith(end) && sb.length() < 65536) {
            int c = in.read();
            if (c < 0) break;
            sb.append((char) c);
        }
        return sb.toString();
    }
}
