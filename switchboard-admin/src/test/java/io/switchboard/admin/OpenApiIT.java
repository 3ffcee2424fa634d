package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi30;
import io.switchboard.dsr.DsrStatus;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import io.switchboard.proxy.demo.DemoBackend;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every operation of {@code docs/admin-api.yaml} is called on a live admin listener, and each answer
 * is checked against the file: its status must be documented for that operation, its content type
 * too, and a JSON body must validate against the documented schema (by the networknt validator,
 * with the OpenAPI 3.0 dialect: nullable, additionalProperties: false, formats). Request bodies sent
 * are validated too, and the test fails if an operation of the file was never called.
 */
class OpenApiIT {
    static final Path SPEC = Path.of("..", "docs", "admin-api.yaml").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode spec;
    private static JsonSchemaFactory schemas;

    private final Set<String> covered = new TreeSet<>();
    private int checked;

    @BeforeAll
    static void load() throws Exception {
        spec = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(SPEC));
        assertThat(spec.get("openapi").asText()).startsWith("3.0.");
        schemas = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
                b -> b.metaSchema(OpenApi30.getInstance()).defaultMetaSchemaIri(OpenApi30.getInstance().getIri()));
    }

    @Test
    void everyOperationAnswersAsDocumented() throws Exception {
        try (AdminFixture f = new AdminFixture().start()) {
            String t = AdminFixture.TOKEN;
            for (int i = 0; i < 12; i++) f.proxyGet(i % 4 == 0 ? "/delay?ms=5" : "/");
            f.call("PATCH", "/api/v1/pools/demo/backends/charlie", "{\"state\":\"maint\"}", t);
            // wait for sampled series and latency, so that those parts of the schema are exercised with values
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    JSON.readTree(f.get("/api/v1/pools/demo/backends/alpha").body()).get("series").get("rps").size() >= 2);

            check(f, "GET", "/api/v1/overview", "/api/v1/overview", null, null, 200);
            check(f, "GET", "/api/v1/listeners", "/api/v1/listeners", null, null, 200);
            check(f, "GET", "/api/v1/listeners/{listener}/routes", "/api/v1/listeners/demo/routes", null, null, 200);
            check(f, "GET", "/api/v1/listeners/{listener}/routes", "/api/v1/listeners/nope/routes", null, null, 404);
            check(f, "GET", "/api/v1/listeners/{listener}/sessions", "/api/v1/listeners/demo/sessions?limit=1", null, null, 200);
            check(f, "GET", "/api/v1/listeners/{listener}/sessions", "/api/v1/listeners/demo/sessions?offset=x", null, null, 400);
            check(f, "GET", "/api/v1/listeners/{listener}/sessions", "/api/v1/listeners/nope/sessions", null, null, 404);
            check(f, "GET", "/api/v1/cluster", "/api/v1/cluster", null, null, 404);
            f.cluster = ClusterApiTest.threeMembers();
            check(f, "GET", "/api/v1/cluster", "/api/v1/cluster", null, null, 200);
            f.cluster = null;
            check(f, "GET", "/api/v1/dsr", "/api/v1/dsr", null, null, 404);
            f.dsr = new DsrStatus("eth0", "10.0.0.100", 80, "tcp", "web", 4093, List.of(
                    new DsrStatus.Server("s1", "10.0.0.11", "02:00:00:00:00:11", 1, 2047),
                    new DsrStatus.Server("s2", "10.0.0.12", "02:00:00:00:00:12", 1, 2046)), 1_700_000_000_000L, 3, null, 0, 906L, 0L);
            check(f, "GET", "/api/v1/dsr", "/api/v1/dsr", null, null, 200);
            f.dsr = new DsrStatus("eth0", "10.0.0.100", 80, "tcp", "web", 4093, List.of(), 0, 0,
                    "no interface named 'eth0' on this host (interfaces: lo); the table in force stays", 1_700_000_000_000L);
            check(f, "GET", "/api/v1/dsr", "/api/v1/dsr", null, null, 200);
            f.dsr = null;
            check(f, "GET", "/api/v1/pools", "/api/v1/pools", null, null, 200);
            check(f, "GET", "/api/v1/pools/{pool}", "/api/v1/pools/demo", null, null, 200);
            check(f, "GET", "/api/v1/pools/{pool}", "/api/v1/pools/nope", null, null, 404);
            check(f, "GET", "/api/v1/pools/{pool}/backends", "/api/v1/pools/demo/backends", null, null, 200);
            check(f, "GET", "/api/v1/pools/{pool}/backends", "/api/v1/pools/nope/backends", null, null, 404);
            check(f, "GET", "/api/v1/pools/{pool}/backends/{backend}", "/api/v1/pools/demo/backends/charlie", null, null, 200);
            // a load report, so that the schema's loadReport is exercised with values (and with unknown figures)
            f.pool.backend("alpha").loadReport(new LoadReport(System.nanoTime(), 7, 0.5, 1.25, 4, 2, 1L << 30, 12,
                    LoadReport.UNKNOWN, LoadReport.UNKNOWN, 80, LoadReport.UNKNOWN, AgentState.DRAIN));
            check(f, "GET", "/api/v1/pools/{pool}/backends/{backend}", "/api/v1/pools/demo/backends/alpha", null, null, 200);
            check(f, "GET", "/api/v1/pools/{pool}/backends/{backend}", "/api/v1/pools/demo/backends/zulu", null, null, 404);
            f.proxy.state().persistence().pool("demo").table().track("alice", System.nanoTime(), true);
            f.proxy.state().persistence().pool("demo").table().stick("alice", "alpha", System.nanoTime());
            f.proxy.state().persistence().pool("demo").table().track("bob", System.nanoTime(), true);
            check(f, "GET", "/api/v1/pools/{pool}/persistence", "/api/v1/pools/demo/persistence", null, null, 200);
            check(f, "GET", "/api/v1/pools/{pool}/persistence", "/api/v1/pools/nope/persistence", null, null, 404);
            check(f, "GET", "/api/v1/pools/{pool}/stick-table", "/api/v1/pools/demo/stick-table?limit=1", null, null, 200);
            check(f, "GET", "/api/v1/pools/{pool}/stick-table", "/api/v1/pools/demo/stick-table?after=alice", null, null, 200);
            check(f, "GET", "/api/v1/pools/{pool}/stick-table", "/api/v1/pools/demo/stick-table?limit=0", null, null, 400);
            check(f, "GET", "/api/v1/pools/{pool}/stick-table", "/api/v1/pools/nope/stick-table", null, null, 404);

            DemoBackend delta = f.newBackend("delta");
            String add = "{\"name\":\"delta\",\"address\":\"127.0.0.1:" + delta.port() + "\",\"weight\":2,\"state\":\"ready\"}";
            String backends = "/api/v1/pools/{pool}/backends";
            check(f, "POST", backends, "/api/v1/pools/demo/backends", add, null, 401);
            check(f, "POST", backends, "/api/v1/pools/demo/backends", add, "wrong-token-0000", 403);
            check(f, "POST", backends, "/api/v1/pools/demo/backends", add, t, 201);
            check(f, "POST", backends, "/api/v1/pools/demo/backends", add, t, 409);
            check(f, "POST", backends, "/api/v1/pools/nope/backends", add, t, 404);
            check(f, "POST", backends, "/api/v1/pools/demo/backends", "{\"name\":\"e\"}", t, 400);

            String one = "/api/v1/pools/{pool}/backends/{backend}";
            check(f, "PATCH", one, "/api/v1/pools/demo/backends/delta", "{\"weight\":3}", t, 200);
            check(f, "PATCH", one, "/api/v1/pools/demo/backends/delta", "{\"state\":\"drain\",\"weight\":1}", t, 200);
            check(f, "PATCH", one, "/api/v1/pools/demo/backends/delta", "{\"weight\":-1}", t, 400);
            check(f, "PATCH", one, "/api/v1/pools/demo/backends/zulu", "{\"weight\":1}", t, 404);
            check(f, "PATCH", one, "/api/v1/pools/demo/backends/delta", "{\"weight\":1}", null, 401);

            check(f, "DELETE", one, "/api/v1/pools/demo/backends/delta?deadline=10m1s", null, t, 400);
            check(f, "DELETE", one, "/api/v1/pools/demo/backends/delta?deadline=10s", null, t, 200);
            check(f, "DELETE", one, "/api/v1/pools/demo/backends/delta", null, t, 404);
            // a removal cancelled by setting the back end ready again
            CompletableFuture<HttpResponse<String>> slow = f.client().sendAsync(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + f.proxyPort() + "/delay?ms=2500")).build(),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(10)).until(() -> f.pool.snapshot().backends().members().stream()
                    .anyMatch(m -> m.backend().inFlight() > 0));
            String busy = f.pool.snapshot().backends().members().stream().filter(m -> m.backend().inFlight() > 0)
                    .findFirst().orElseThrow().backend().name();
            CompletableFuture<HttpResponse<String>> delete = CompletableFuture.supplyAsync(() -> {
                try {
                    return f.call("DELETE", "/api/v1/pools/demo/backends/" + busy, null, t);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> f.pool.snapshot().backends().member(busy).admin()
                    == io.switchboard.config.AdminState.DRAIN);
            f.call("PATCH", "/api/v1/pools/demo/backends/" + busy, "{\"state\":\"ready\"}", t);
            validate("DELETE", one, delete.get(), 409);
            slow.get();

            check(f, "POST", "/api/v1/reload", "/api/v1/reload", null, t, 200);
            f.reload = () -> new Dispatcher.ReloadOutcome(false, "demo.yaml", null,
                    List.of("demo.yaml:7: pools.demo.algorithm: unknown algorithm 'rr'"), List.of());
            check(f, "POST", "/api/v1/reload", "/api/v1/reload", null, t, 422);
            f.configFile = null;
            check(f, "POST", "/api/v1/reload", "/api/v1/reload", null, t, 409);
            check(f, "POST", "/api/v1/reload", "/api/v1/reload", null, null, 401);

            check(f, "POST", "/api/v1/token", "/api/v1/token", null, t, 200);
            check(f, "POST", "/api/v1/token", "/api/v1/token", null, "wrong-token", 403);
            check(f, "POST", "/api/v1/token", "/api/v1/token", null, null, 401);

            check(f, "GET", "/metrics", "/metrics", null, null, 200);
            check(f, "HEAD", "/metrics", "/metrics", null, null, 200);
            check(f, "GET", "/", "/", null, null, 200);
        }
        Set<String> documented = new TreeSet<>();
        for (Iterator<String> p = spec.get("paths").fieldNames(); p.hasNext(); ) {
            String path = p.next();
            for (Iterator<String> m = spec.get("paths").get(path).fieldNames(); m.hasNext(); ) {
                String method = m.next();
                if (!method.equals("parameters")) documented.add(method.toUpperCase() + " " + path);
            }
        }
        assertThat(covered).as("operations called").isEqualTo(documented);
        assertThat(checked).isGreaterThanOrEqualTo(30);
    }

    @Test
    void theValidatorRejectsWhatTheSpecForbids() {
        JsonSchema backend = schema("/components/schemas/Backend");
        assertThat(backend.validate(JSON.createObjectNode().put("name", "a"))).isNotEmpty();
        JsonSchema error = schema("/components/schemas/Error");
        assertThat(error.validate(JSON.createObjectNode().put("status", 404).put("error", "x"))).isEmpty();
        assertThat(error.validate(JSON.createObjectNode().put("status", 404).put("error", "x").put("extra", 1))).isNotEmpty();
        assertThat(error.validate(JSON.createObjectNode().put("status", 200).put("error", "x"))).isNotEmpty();
        // a pointer through a templated path resolves to the Pool schema, not to nothing
        JsonSchema pool = schema("/paths/" + escape("/api/v1/pools/{pool}") + "/get/responses/200/content/application~1json/schema");
        assertThat(pool.validate(JSON.createObjectNode().put("name", "demo"))).isNotEmpty();
        assertThat(pool.validate(JSON.createArrayNode())).isNotEmpty();
        JsonSchema latency = schema("/components/schemas/Latency");
        assertThat(latency.validate(JSON.createObjectNode().put("windowSeconds", 1).put("requests", 0).putNull("p50Ms")
                .putNull("p90Ms").putNull("p99Ms"))).isEmpty();
        assertThat(latency.validate(JSON.createObjectNode().put("windowSeconds", 1).put("requests", 0).put("p50Ms", "x")
                .putNull("p90Ms").putNull("p99Ms"))).isNotEmpty();
    }

    private void check(AdminFixture f, String method, String template, String path, String body, String token, int status)
            throws Exception {
        if (body != null) {
            JsonNode op = spec.get("paths").get(template).get(method.toLowerCase());
            String pointer = "/paths/" + escape(template) + "/" + method.toLowerCase() + "/requestBody/content/application~1json/schema";
            assertThat(op.get("requestBody")).as("request body of " + method + " " + template).isNotNull();
            Set<ValidationMessage> errors = schema(pointer).validate(JSON.readTree(body));
            boolean meantValid = status < 400 || status == 401 || status == 403 || status == 404 || status == 409;
            assertThat(errors.isEmpty()).as("request body " + body + " valid: " + errors).isEqualTo(meantValid);
        }
        validate(method, template, f.call(method, path, body, token), status);
    }

    private void validate(String method, String template, HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(method + " " + r.uri() + ": " + r.body()).isEqualTo(status);
        JsonNode op = spec.get("paths").get(template).get(method.toLowerCase());
        assertThat(op).as("documented: " + method + " " + template).isNotNull();
        covered.add(method + " " + template);
        String base = "/paths/" + escape(template) + "/" + method.toLowerCase() + "/responses/" + status;
        JsonNode response = op.get("responses").get(Integer.toString(status));
        if (response == null) fail(method + " " + template + " answered " + status + ", which the spec does not list");
        if (response.has("$ref")) {
            base = response.get("$ref").asText().substring(1);
            response = at(base);
        }
        String contentType = r.headers().firstValue("Content-Type").orElse("");
        String mediaType = contentType.split(";")[0].trim();
        JsonNode content = response.get("content");
        if (content == null) {
            return; // documented without a body
        }
        assertThat(content.has(mediaType)).as(method + " " + template + " " + status + " answered " + contentType
                + "; the spec has " + content).isTrue();
        if (mediaType.equals("application/json")) {
            String pointer = base + "/content/application~1json/schema";
            Set<ValidationMessage> errors = schema(pointer).validate(JSON.readTree(r.body()));
            assertThat(errors).as(method + " " + template + " " + status + " body vs " + pointer + ":\n" + r.body()).isEmpty();
        } else {
            assertThat(r.body()).isNotEmpty();
        }
        for (Iterator<String> h = response.has("headers") ? response.get("headers").fieldNames() : List.<String>of().iterator();
                h.hasNext(); ) {
            String header = h.next();
            assertThat(r.headers().firstValue(header)).as(header + " of " + method + " " + template + " " + status).isPresent();
        }
        checked++;
    }

    private static JsonNode at(String pointer) {
        JsonNode n = spec.at(pointer);
        if (n.isMissingNode()) fail("the spec has nothing at " + pointer);
        return n;
    }

    private static JsonSchema schema(String pointer) {
        at(pointer);
        return schemas.getSchema(SchemaLocation.of(SPEC.toUri() + "#" + pointer.replace("{", "%7B").replace("}", "%7D")));
    }

    private static final Pattern SLASH = Pattern.compile("/");

    private static String escape(String path) {
        return SLASH.matcher(path.replace("~", "~0")).replaceAll("~1");
    }

    @SuppressWarnings("unused")
    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
