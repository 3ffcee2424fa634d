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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admin listener as the app wires it from a YAML file: the API's reload reads the real file,
 * a new token applies on reload, changes made through the API last until a reload, and the access
 * log is written in the configured format; and the file and the API accept and refuse the same
 * addresses, states and durations with the same words.
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

    // ---- one syntax for the file and the API ---------------------------------------------------

    /** A value, where it goes, and the verdict both readers must give: null to accept, else the message. */
    record Same(String kind, String value, String refusal) {
        @Override
        public String toString() {
            return kind + " '" + value + "'";
        }
    }

    static List<Same> sameVerdicts() {
        String form = " (expected host:port, e.g. 10.0.0.5:8080, app_1:80 or [::1]:80)";
        String names = " (a host name is dot-separated labels of letters, digits, '-' and '_')";
        String states = " (allowed: ready, drain, maint)";
        return List.of(
                new Same("address", "app_1:80", null),
                new Same("address", "web.compose_default:8080", null),
                new Same("address", "10.0.0.5:8080", null),
                new Same("address", "[::1]:8080", null),
                new Same("address", "127.0.0.1", "'127.0.0.1' has no port" + form),
                new Same("address", "::1:80", "'::1:80': an IPv6 address needs brackets, e.g. [::1]:80"),
                new Same("address", "bad host:80", "'bad host:80': 'bad host' is not a valid host name or IP address" + names),
                new Same("address", "-app:80", "'-app:80': '-app' is not a valid host name or IP address" + names),
                new Same("address", "h:0", "'h:0': port 0 is out of range (allowed: 1-65535)"),
                new Same("address", "h:http", "'h:http': port 'http' is not a number (allowed: 1-65535)"),
                new Same("address", "[fe80::zz]:80", "'[fe80::zz]:80': 'fe80::zz' is not a valid IPv6 address"),
                new Same("state", "drain", null),
                new Same("state", "MAINT", null),
                new Same("state", "ready", null),
                new Same("state", "down", "unknown state 'down'" + states),
                new Same("state", "up", "unknown state 'up'" + states),
                new Same("duration", "0", null),
                new Same("duration", "250ms", null),
                new Same("duration", "1.5s", null),
                new Same("duration", "1m30s", null),
                new Same("duration", "30", "'30' has no unit (write 30s or 30ms)"),
                new Same("duration", "2x", "'2x' is not a duration (write e.g. 500ms, 2s, 1m, 1h or 1m30s)"),
                new Same("duration", "-1s", "'-1s' is negative (durations are 0 or more)"),
                new Same("duration", "0.5ms", "'0.5ms' is finer than a millisecond"));
    }

    @ParameterizedTest
    @MethodSource("sameVerdicts")
    void theFileAndTheApiReadValuesAlike(Same c) throws Exception {
        assertThat(fromFile(c)).as("config file").isEqualTo(c.refusal);
        assertThat(fromApi(c)).as("admin API").isEqualTo(c.refusal);
    }

    /** The loader's verdict on a tiny file holding the value: null, or the one problem's message after its key. */
    private static String fromFile(Same c) {
        String address = c.kind.equals("address") ? c.value : "127.0.0.1:1";
        String state = c.kind.equals("state") ? c.value : "ready";
        String grace = c.kind.equals("duration") ? c.value : "1s";
        String yaml = """
                listeners:
                  - port: 8080
                    default-pool: app
                pools:
                  app:
                    servers:
                      - name: a
                        address: '%s'
                        state: '%s'
                shutdown-grace: '%s'
                admin:
                  enabled: false
                """.formatted(address, state, grace);
        try {
            ConfigLoader.parse(yaml, "same.yaml", null);
            return null;
        } catch (ConfigException e) {
            assertThat(e.problems()).hasSize(1);
            ConfigProblem p = e.problems().get(0);
            String key = switch (c.kind) {
                case "address" -> "pools.app.servers[0].address";
                case "state" -> "pools.app.servers[0].state";
                default -> "shutdown-grace";
            };
            assertThat(p.key()).isEqualTo(key);
            return p.message();
        }
    }

    /** The running API's verdict: null for a 2xx, or the 400's message after the field's name. Leaves the pool as it was. */
    private String fromApi(Same c) throws Exception {
        HttpResponse<String> r;
        String field;
        switch (c.kind) {
            case "address" -> {
                field = "address";
                r = call("POST", "/api/v1/pools/app/backends", "{\"name\":\"same\",\"address\":\"" + c.value
                        + "\",\"state\":\"maint\"}", TOKEN);
                if (r.statusCode() == 201) assertThat(call("DELETE", "/api/v1/pools/app/backends/same?deadline=0", null, TOKEN)
                        .statusCode()).isEqualTo(200);
            }
            case "state" -> {
                field = "state";
                r = call("PATCH", "/api/v1/pools/app/backends/alpha", "{\"state\":\"" + c.value + "\"}", TOKEN);
                assertThat(call("PATCH", "/api/v1/pools/app/backends/alpha", "{\"state\":\"ready\"}", TOKEN).statusCode())
                        .isEqualTo(200);
            }
            default -> {
                field = "deadline";
                assertThat(call("POST", "/api/v1/pools/app/backends",
                        "{\"name\":\"same\",\"address\":\"127.0.0.1:1\",\"state\":\"maint\"}", TOKEN).statusCode()).isEqualTo(201);
                r = call("DELETE", "/api/v1/pools/app/backends/same?deadline=" + c.value, null, TOKEN);
                if (r.statusCode() != 200) {
                    assertThat(call("DELETE", "/api/v1/pools/app/backends/same?deadline=0", null, TOKEN).statusCode()).isEqualTo(200);
                }
            }
        }
        if (r.statusCode() / 100 == 2) return null;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        String error = JSON.readTree(r.body()).get("error").asText();
        assertThat(error).startsWith(field + ": ");
        return error.substring(field.length() + 2);
    }
}
