package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.proxy.demo.DemoBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener as the app wires it from a YAML file: the API's reload reads the real file,
 * a new token applies on reload, changes made through the API last until a reload, and the access
 * log is written in the configured format.
 */
class AdminWiringIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "first-token-0123456789";

    @TempDir
    Path dir;

    private DemoBackend alpha;
    private DemoBackend bravo;
    private Path file;
    private Path accessLog;
    private Switchboard switchboard;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        alpha = new DemoBackend("alpha").start("127.0.0.1", 0);
        bravo = new DemoBackend("bravo").start("127.0.0.1", 0);
        file = dir.resolve("switchboard.yaml");
        accessLog = dir.resolve("access.log");
        write(TOKEN, "      - { name: alpha, address: 127.0.0.1:" + alpha.port() + " }\n");
        switchboard = Switchboard.start(ConfigLoader.load(file).config());
    }

    @AfterEach
    void stop() {
        if (switchboard != null) switchboard.close();
        if (alpha != null) alpha.close();
        if (bravo != null) bravo.close();
    }

    private void write(String token, String servers) throws Exception {
        Files.writeString(file, """
                listeners:
                  - name: web
                    address: 127.0.0.1
                    port: 0
                    default-pool: app
                pools:
                  app:
                    servers:
                %s
                access-log: access.log
                access-log-format: json
                watch-config: false
                admin:
                  address: 127.0.0.1
                  port: 0
                  token: %s
                """.formatted(servers.stripTrailing(), token));
    }

    private HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(switchboard.admin().url().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(20));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void overviewNamesTheListenerAndTheFile() throws Exception {
        assertThat(switchboard.admin()).isNotNull();
        JsonNode o = JSON.readTree(call("GET", "/api/v1/overview", null, null).body());
        assertThat(o.get("configFile").asText()).isEqualTo(file.toString());
        assertThat(o.get("listeners").get(0).get("port").asInt()).isEqualTo(switchboard.boundAddress("web").getPort());
        assertThat(o.get("pools").get(0).get("backends").get(0).get("name").asText()).isEqualTo("alpha");
    }

    @Test
    void reloadThroughTheApiReadsTheFileAndUndoesApiChanges() throws Exception {
        assertThat(call("PATCH", "/api/v1/pools/app/backends/alpha", "{\"weight\":7}", TOKEN).statusCode()).isEqualTo(200);
        assertThat(switchboard.pools().get("app").snapshot().backends().member("alpha").weight()).isEqualTo(7);

        write(TOKEN, "      - { name: alpha, address: 127.0.0.1:" + alpha.port() + " }\n"
                + "      - { name: bravo, address: 127.0.0.1:" + bravo.port() + " }\n");
        HttpResponse<String> r = call("POST", "/api/v1/reload", null, TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode res = JSON.readTree(r.body());
        assertThat(res.get("applied").asBoolean()).isTrue();
        assertThat(res.get("summary").asText()).isEqualTo("1 listener, 1 pool, 2 servers");
        var members = switchboard.pools().get("app").snapshot().backends();
        assertThat(members.members()).hasSize(2);
        assertThat(members.member("alpha").weight()).as("the file says 1: the API's 7 is gone").isEqualTo(1);

        Files.writeString(file, Files.readString(file).replace("default-pool: app", "default-pool: ap"));
        HttpResponse<String> bad = call("POST", "/api/v1/reload", null, TOKEN);
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(bad.body()).get("errors").get(0).asText())
                .isEqualTo(file + ":5: listeners[0].default-pool: no pool named 'ap', did you mean 'app'? (pools: app)");
        assertThat(switchboard.pools().get("app").snapshot().backends().members()).hasSize(2);
    }

    @Test
    void aNewTokenAppliesOnReload() throws Exception {
        write("second-token-0123456789", "      - { name: alpha, address: 127.0.0.1:" + alpha.port() + " }\n");
        assertThat(call("POST", "/api/v1/reload", null, TOKEN).statusCode()).isEqualTo(200);
        assertThat(call("PATCH", "/api/v1/pools/app/backends/alpha", "{\"weight\":2}", TOKEN).statusCode()).isEqualTo(403);
        assertThat(call("PATCH", "/api/v1/pools/app/backends/alpha", "{\"weight\":2}", "second-token-0123456789").statusCode())
                .isEqualTo(200);
    }

    @Test
    void theAccessLogIsJsonLines() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + switchboard.boundAddress("web").getPort() + "/x")).header("User-Agent", "wiring-test").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(accessLog) && !Files.readString(accessLog).isEmpty());
        JsonNode line = JSON.readTree(Files.readAllLines(accessLog).get(0));
        assertThat(line.get("uri").asText()).isEqualTo("/x");
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("pool").asText()).isEqualTo("app");
        assertThat(line.get("backend").asText()).isEqualTo("alpha");
    }
}
