package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.Http2Config;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.RetryOn;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.SwitchboardConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import io.switchboard.config.BackendProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String FILE = "switchboard.yaml";

    /** The smallest valid config; most bad files below are this with one mistake. */
    private static final String MINIMAL = ConfigText.ONE_SERVER;

    private static LoadedConfig load(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, FILE, null);
    }

    private static List<String> errors(String yaml) {
        return ConfigText.errors(() -> load(yaml));
    }

    private static List<String> warnings(String yaml) throws ConfigException {
        return ConfigText.warnings(load(yaml));
    }

    // ---- good files ----------------------------------------------------------------------------

    @Test
    void fullFileReadsEveryKey() throws Exception {
        LoadedConfig loaded = load("""
                listeners:
                  - name: web
                    address: 0.0.0.0
                    port: 8080
                    default-pool: app
                    header-timeout: 5s
                    client-idle-timeout: 2m
                    max-request-line: 4k
                    max-header-size: 32k
                  - address: "[::1]"
                    port: 0
                    default-pool: hashed
                pools:
                  app:
                    algorithm: least-conn
                    retries: 3
                    connect-timeout: 500ms
                    response-timeout: 1m30s
                    backend-idle-timeout: 90s
                    max-idle-per-backend: 16
                    slow-start: 20s
                    when-all-down: ignore-health
                    max-body: 10m
                    health:
                      type: http
                      method: HEAD
                      path: /healthz
                      host: example.com
                      expect-status: 204
                      interval: 3s
                      timeout: 1500ms
                      jitter: 25%
                      rise: 3
                      fall: 4
                    passive:
                      consecutive-failures: 7
                      count-5xx: false
                      base-ejection: 5s
                      max-ejection: 1h
                      max-ejection-percent: 25
                    servers:
                      - name: a
                        address: 10.0.0.1:8080
                        weight: 5
                        state: drain
                      - name: b
                        address: "[2001:db8::1]:80"
                        state: maint
                      - name: c
                        address: app-3.internal:8080
                        weight: 0
                  hashed:
                    algorithm: uri-hash
                    hash-load-factor: 1.5
                    health:
                      type: tcp
                    passive:
                      consecutive-failures: 0
                    servers:
                      - name: x
                        address: 127.0.0.1:9001
                event-loops: 4
                transport: nio
                shutdown-grace: 10s
                access-log: off
                watch-config: false
                """);
        SwitchboardConfig c = loaded.config();
        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.summary()).isEqualTo("2 listeners, 2 pools, 4 servers");
        assertThat(c.listeners()).containsExactly(
                new ListenerConfig("web", "0.0.0.0", 8080, "app", Duration.ofSeconds(5), Duration.ofMinutes(2), 4096, 32768),
                new ListenerConfig("listener-1", "::1", 0, "hashed", Duration.ofSeconds(10), Duration.ofSeconds(60), 8192, 16384));
        assertThat(c.pools().get("app")).isEqualTo(new PoolConfig("app", "least-conn", 1.25, 3,
                Duration.ofMillis(500), Duration.ofSeconds(90), Duration.ofSeconds(90), 16, Duration.ofSeconds(20),
                AllDownPolicy.IGNORE_HEALTH,
                new HealthCheckConfig(HealthCheckConfig.Type.HTTP, "HEAD", "/healthz", "example.com", 204, 204,
                        Duration.ofSeconds(3), Duration.ofMillis(1500), 0.25, 3, 4),
                new PassiveHealthConfig(7, false, Duration.ofSeconds(5), Duration.ofHours(1), 25),
                10L << 20,
                List.of(new ServerConfig("a", "10.0.0.1", 8080, 5, AdminState.DRAIN),
                        new ServerConfig("b", "2001:db8::1", 80, 1, AdminState.MAINT),
                        new ServerConfig("c", "app-3.internal", 8080, 0, AdminState.READY))));
        PoolConfig hashed = c.pools().get("hashed");
        assertThat(hashed.algorithm()).isEqualTo("uri-hash");
        assertThat(hashed.hashLoadFactor()).isEqualTo(1.5);
        assertThat(hashed.health().type()).isEqualTo(HealthCheckConfig.Type.TCP);
        assertThat(hashed.passive().enabled()).isFalse();
        assertThat(c.eventLoops()).isEqualTo(4);
        assertThat(c.transport()).isEqualTo("nio");
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.accessLog()).isEqualTo("off");
        assertThat(c.watchConfig()).isFalse();
        assertThat(c.source()).isNull();
    }

    @Test
    void omittedKeysTakeTheDocumentedDefaults() throws Exception {
        SwitchboardConfig c = load(MINIMAL).config();
        assertThat(c.listeners()).containsExactly(new ListenerConfig("listener-0", "0.0.0.0", 8080, "app",
                Duration.ofSeconds(10), Duration.ofSeconds(60), 8192, 16384));
        assertThat(c.pools().get("app")).isEqualTo(new PoolConfig("app", "round-robin", 1.25, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60), 512, Duration.ZERO, AllDownPolicy.FAIL,
                HealthCheckConfig.NONE, PassiveHealthConfig.DEFAULT, 0,
                List.of(new ServerConfig("a", "127.0.0.1", 9001, 1, AdminState.READY))));
        assertThat(c.eventLoops()).isZero();
        assertThat(c.transport()).isEqualTo("auto");
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.accessLog()).isEqualTo("stdout");
        assertThat(c.watchConfig()).isTrue();
    }

    @Test
    void watchConfigIsABoolean() {
        assertThat(errors(MINIMAL + "watch-config: yes\n")).containsExactly(
                "switchboard.yaml:9: watch-config: 'yes' is not a boolean (allowed: true, false)");
        assertThat(errors(MINIMAL + "watch_config: false\n")).containsExactly(
                "switchboard.yaml:9: watch_config: unknown key 'watch_config', did you mean 'watch-config'? (allowed: listeners,"
                        + " pools, event-loops, transport, shutdown-grace, access-log, watch-config, access-log-format, admin, load-reports, dns, cluster, dsr)");
    }

    @Test
    void healthDefaultsWhenTypeIsGiven() throws Exception {
        HealthCheckConfig h = load(MINIMAL + "    health:\n      type: http\n").config().pools().get("app").health();
        assertThat(h).isEqualTo(new HealthCheckConfig(HealthCheckConfig.Type.HTTP, "GET", "/", null, 200, 399,
                Duration.ofSeconds(2), Duration.ofSeconds(1), 0.1, 2, 3));
    }

    @Test
    void loadsFromAFileAndResolvesARelativeAccessLogAgainstIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("conf/switchboard.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, MINIMAL + "access-log: logs/access.log\n");
        Files.createDirectories(dir.resolve("conf/logs"));
        SwitchboardConfig c = ConfigLoader.load(file).config();
        assertThat(c.source()).isEqualTo(file);
        assertThat(c.accessLog()).isEqualTo(dir.resolve("conf/logs/access.log").toAbsolutePath().normalize().toString());
    }

    // ---- the file itself -----------------------------------------------------------------------

    @Test
    void missingFile(@TempDir Path dir) {
        Path file = dir.resolve("nope.yaml");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.getMessage()).isEqualTo(file + ": no such file");
        assertThat(e.line()).isZero();
    }

    @Test
    void notUtf8(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, "listeners: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.getMessage()).isEqualTo(file + ": not UTF-8 text");
    }

    @Test
    void emptyFile() {
        assertThat(errors("# nothing yet\n")).containsExactly(
                "switchboard.yaml: the file has no content (expected at least 'listeners:' and 'pools:')");
    }

    @Test
    void rootIsNotAMapping() {
        assertThat(errors("- listeners\n- pools\n")).containsExactly(
                "switchboard.yaml:1: expected a mapping with keys listeners, pools, event-loops, transport, shutdown-grace,"
                        + " access-log, watch-config, access-log-format, admin, load-reports, dns, cluster, dsr; found a list");
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() {
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: app
                  port: 8081
                pools: {}
                """)).containsExactly("switchboard.yaml:4: YAML syntax error: expected <block end>, but found '?'"
                + " (check the indentation of this line) (while parsing a block collection that starts at line 2)");
    }

    @Test
    void tabIndentation() {
        assertThat(errors("listeners:\n\t- port: 8080\n")).singleElement().asString()
                .startsWith("switchboard.yaml:2: YAML syntax error: found character '\\t(TAB)' that cannot start any token");
    }

    @Test
    void duplicateKeyAliasAndSecondDocument() {
        assertThat(errors("""
                listeners:
                  - port: 8080
                    port: 8081
                    default-pool: &p app
                    name: *p
                pools:
                  app:
                    servers:
                      - {name: a, address: "127.0.0.1:9001"}
                ---
                pools: {}
                """)).containsExactly(
                "switchboard.yaml:3: listeners[0].port: duplicate key (first given at line 2)",
                "switchboard.yaml:5: listeners[0].name: YAML aliases (*p) are not supported; write the value out",
                "switchboard.yaml:11: a second YAML document starts here; a config file holds exactly one (remove the '---')");
    }

    // ---- structure -----------------------------------------------------------------------------

    @Test
    void missingRequiredSections() {
        assertThat(errors("transport: nio\n")).containsExactly(
                "switchboard.yaml:1: listeners: required key is missing (a list with at least one listener)",
                "switchboard.yaml:1: pools: required key is missing (a map of pool name to pool, with at least one pool)");
    }

    @Test
    void emptySections() {
        assertThat(errors("listeners: []\npools:\n")).containsExactly(
                "switchboard.yaml:1: listeners: at least one listener is required",
                "switchboard.yaml:2: pools: at least one pool is required");
    }

    @Test
    void wrongShapes() {
        assertThat(errors("""
                listeners:
                  port: 8080
                pools:
                  - app
                """)).containsExactly(
                "switchboard.yaml:2: listeners: expected a list (lines starting with '- '); found a mapping",
                "switchboard.yaml:4: pools: expected a map of pool name to pool; found a list");
    }

    @Test
    void aListenerSpeaksHttpAndSaysWhichModesThereAre() throws ConfigException {
        assertThat(load(MINIMAL).config().listeners().get(0).mode()).isEqualTo(ListenerConfig.Mode.HTTP);
        assertThat(errors(MINIMAL.replace("  - port: 8080", "  - port: 8080\n    mode: udp")))
                .containsExactly("switchboard.yaml:3: listeners[0].mode: unknown value 'udp' (allowed: http, tcp)");
    }

    @Test
    void aTcpListenerTakesTheConnectionKeysAndALongerIdleTimeout() throws ConfigException {
        ListenerConfig l = load(MINIMAL.replace("  - port: 8080", "  - port: 8080\n    mode: tcp\n    max-connections: 10"))
                .config().listeners().get(0);
        assertThat(l.mode()).isEqualTo(ListenerConfig.Mode.TCP);
        assertThat(l.guard().maxConnections()).isEqualTo(10);
        assertThat(l.clientIdleTimeout()).isEqualTo(ListenerConfig.DEFAULT_TUNNEL_IDLE_TIMEOUT);
        assertThat(load(MINIMAL.replace("  - port: 8080", "  - port: 8080\n    mode: tcp\n    client-idle-timeout: 5m"))
                .config().listeners().get(0).clientIdleTimeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void anHttpKeyOnATcpListenerIsAnError() {
        assertThat(errors(MINIMAL.replace("  - port: 8080", "  - port: 8080\n    mode: tcp\n    max-header-size: 8k")))
                .containsExactly("switchboard.yaml:4: listeners[0].max-header-size: applies to mode: http listeners only;"
                        + " this listener has mode: tcp (its keys: name, mode, address, port, default-pool, client-idle-timeout,"
                        + " max-connections, max-connections-per-ip, allow, deny, proxy-protocol, splice, validate, sni-routes, max-line,"
                        + " first-words, error-line)");
    }

    @Test
    void spliceIsATcpListenerChoiceAndAnErrorOnAnHttpListener() throws ConfigException {
        assertThat(load(MINIMAL).config().listeners().get(0).splice()).isEqualTo(ListenerConfig.Splice.AUTO);
        assertThat(load(MINIMAL.replace("  - port: 8080", "  - port: 8080\n    mode: tcp\n    splice: off"))
                .config().listeners().get(0).splice()).isEqualTo(ListenerConfig.Splice.OFF);
        assertThat(errors(MINIMAL.replace("  - port: 8080", "  - port: 8080\n    mode: tcp\n    splice: always")))
                .containsExactly("switchboard.yaml:4: listeners[0].splice: unknown value 'always' (allowed: auto, off, on)");
        assertThat(errors(MINIMAL.replace("  - port: 8080", "  - port: 8080\n    splice: on")))
                .containsExactly("switchboard.yaml:3: listeners[0].splice: applies to mode: tcp listeners only; this listener"
                        + " has mode: http");
    }

    @Test
    void unknownKeysSuggestTheClosest() {
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: app
                    headerTimeout: 5s
                pools:
                  app:
                    servers:
                      - name: a
                        address: 127.0.0.1:9001
                        wieght: 3
                    helth:
                      type: http
                pool: {}
                """)).containsExactly(
                "switchboard.yaml:4: listeners[0].headerTimeout: unknown key 'headerTimeout', did you mean 'header-timeout'?"
                        + " (allowed: name, mode, address, port, default-pool, header-timeout, client-idle-timeout, max-request-line,"
                        + " max-header-size, max-headers, max-connections, max-connections-per-ip, rate-limit, allow, deny,"
                        + " min-body-rate, body-rate-window, routes, tunnel-idle-timeout, tls, http2, proxy-protocol, splice, validate,"
                        + " sni-routes, max-line, first-words, error-line)",
                "switchboard.yaml:10: pools.app.servers[0].wieght: unknown key 'wieght', did you mean 'weight'?"
                        + " (allowed: name, address, weight, state, max-connections, tags, send-proxy)",
                "switchboard.yaml:11: pools.app.helth: unknown key 'helth', did you mean 'health'? (allowed: algorithm,"
                        + " hash-load-factor, retries, retry-on, connect-timeout, response-timeout, backend-idle-timeout,"
                        + " max-idle-per-backend, slow-start, when-all-down, max-body, queue-size, queue-timeout, class-age-bound,"
                        + " classes, health, passive, servers, persistence, lard-low, lard-high, lard-shrink-after, tls, protocol, send-proxy, load-feedback,"
                        + " report-max-age, candidacy)",
                "switchboard.yaml:13: pool: unknown key 'pool', did you mean 'pools'? (allowed: listeners, pools, event-loops,"
                        + " transport, shutdown-grace, access-log, watch-config, access-log-format, admin, load-reports, dns, cluster, dsr)");
    }

    @Test
    void unknownKeyWithNothingClose() {
        assertThat(errors(MINIMAL + "colour: blue\n")).containsExactly(
                "switchboard.yaml:9: colour: unknown key 'colour' (allowed: listeners, pools, event-loops, transport,"
                        + " shutdown-grace, access-log, watch-config, access-log-format, admin, load-reports, dns, cluster, dsr)");
    }

    @Test
    void emptyValueAndListWhereAValueBelongs() {
        assertThat(errors("""
                listeners:
                  - port:
                    default-pool: [app]
                pools:
                  app:
                    servers: []
                """)).containsExactly(
                "switchboard.yaml:2: listeners[0].port: has no value (give one, or remove the key to use the default)",
                "switchboard.yaml:3: listeners[0].default-pool: expected a single value; found a list");
    }

    // ---- listeners -----------------------------------------------------------------------------

    @Test
    void listenerMissingRequiredKeys() {
        assertThat(errors("""
                listeners:
                  - name: web
                    address: 127.0.0.1
                pools:
                  app:
                    servers: []
                """)).containsExactly(
                "switchboard.yaml:2: listeners[0].port: required key is missing (1-65535, or 0 for any free port)",
                "switchboard.yaml:2: listeners[0].default-pool: required key is missing (the name of a pool)");
    }

    @Test
    void referenceToAMissingPool() {
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: ap
                pools:
                  app:
                    servers: []
                  static:
                    servers: []
                """)).containsExactly(
                "switchboard.yaml:3: listeners[0].default-pool: no pool named 'ap', did you mean 'app'? (pools: app, static)");
    }

    @Test
    void badPortsAndAddresses() {
        assertThat(errors("""
                listeners:
                  - port: 70000
                    default-pool: app
                  - port: http
                    default-pool: app
                  - address: 10.0.0.1:80
                    port: 81
                    default-pool: app
                  - address: 10.0.0.300
                    port: 82
                    default-pool: app
                pools:
                  app:
                    servers: []
                """)).containsExactly(
                "switchboard.yaml:2: listeners[0].port: 70000 is out of range (allowed: 0-65535)",
                "switchboard.yaml:4: listeners[1].port: 'http' is not a whole number (allowed: 0-65535)",
                "switchboard.yaml:6: listeners[2].address: '10.0.0.1:80' has a port; write the host here and the port under 'port'",
                "switchboard.yaml:9: listeners[3].address: '10.0.0.300': '10.0.0.300' is not a valid IPv4 address");
    }

    @Test
    void duplicatePortsAndNames() {
        assertThat(errors("""
                listeners:
                  - name: web
                    port: 8080
                    default-pool: app
                  - name: web
                    address: 127.0.0.1
                    port: 8080
                    default-pool: app
                  - address: 127.0.0.2
                    port: 9090
                    default-pool: app
                  - address: 127.0.0.3
                    port: 9090
                    default-pool: app
                  - port: 0
                    default-pool: app
                  - port: 0
                    default-pool: app
                pools:
                  app:
                    servers: []
                """)).containsExactly(
                "switchboard.yaml:5: listeners[1].name: duplicate listener name 'web' (first at line 2)",
                "switchboard.yaml:7: listeners[1].port: port 8080 is already used by listener 'web' on 0.0.0.0:8080 (line 3)");
    }

    @Test
    void listenerLimitsAndTimeouts() {
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: app
                    header-timeout: 0
                    client-idle-timeout: 30
                    max-request-line: 100
                    max-header-size: 2m
                pools:
                  app:
                    servers: []
                """)).containsExactly(
                "switchboard.yaml:4: listeners[0].header-timeout: '0' must be more than 0",
                "switchboard.yaml:5: listeners[0].client-idle-timeout: '30' has no unit (write 30s or 30ms)",
                "switchboard.yaml:6: listeners[0].max-request-line: 100 is out of range (allowed: 256-1m)",
                "switchboard.yaml:7: listeners[0].max-header-size: 2m is out of range (allowed: 1k-1m)");
    }

    // ---- pools ---------------------------------------------------------------------------------

    @Test
    void unknownAlgorithmListsThemAll() {
        assertThat(errors(MINIMAL + "    algorithm: round-robbin\n")).containsExactly(
                "switchboard.yaml:9: pools.app.algorithm: unknown algorithm 'round-robbin', did you mean 'round-robin'?"
                        + " (allowed: round-robin, least-conn, least-traffic, random, p2c, fastest, source-hash, uri-hash, lard, lard-r, least-load, chain)");
    }

    @Test
    void retryOnIsReadDefaultsToTodaysRuleAndNamesWhatIsAllowed() throws Exception {
        assertThat(load(MINIMAL).config().pools().get("app").retryOn())
                .containsExactlyInAnyOrder(RetryOn.CONN_FAILURE, RetryOn.EMPTY_RESPONSE);
        assertThat(load(MINIMAL + """
                    retry-on: [conn-failure, response-timeout, 503, 504]
                """).config().pools().get("app").retryOn())
                .containsExactlyInAnyOrder(RetryOn.CONN_FAILURE, RetryOn.RESPONSE_TIMEOUT, RetryOn.STATUS_503, RetryOn.STATUS_504);
        assertThat(load(MINIMAL + """
                    retry-on: []
                """).config().pools().get("app").retryOn()).isEmpty();
        assertThat(errors(MINIMAL + """
                    retry-on:
                      - conn-failures
                      - 500
                      - [503]
                """)).containsExactly(
                "switchboard.yaml:10: pools.app.retry-on[0]: unknown retry condition 'conn-failures', did you mean"
                        + " 'conn-failure'? (allowed: conn-failure, empty-response, response-timeout, 502, 503, 504)",
                "switchboard.yaml:11: pools.app.retry-on[1]: unknown retry condition '500', did you mean '502'?"
                        + " (allowed: conn-failure, empty-response, response-timeout, 502, 503, 504)",
                "switchboard.yaml:12: pools.app.retry-on[2]: expected one of conn-failure, empty-response, response-timeout,"
                        + " 502, 503, 504; found a list");
        assertThat(errors(MINIMAL + """
                    retry-on: 503
                """)).singleElement().asString().startsWith("switchboard.yaml:9: pools.app.retry-on: expected a list");
    }

    @Test
    void poolSettingsOutOfRange() {
        assertThat(errors(MINIMAL + """
                    hash-load-factor: 0.5
                    retries: 11
                    connect-timeout: 2 s
                    response-timeout: -1s
                    max-idle-per-backend: lots
                    slow-start: 1.5ms
                    when-all-down: fial
                    max-body: 1.5
                """)).containsExactly(
                "switchboard.yaml:9: pools.app.hash-load-factor: 0.5 is out of range (allowed: 1.0 or more)",
                "switchboard.yaml:10: pools.app.retries: 11 is out of range (allowed: 0-10)",
                "switchboard.yaml:11: pools.app.connect-timeout: '2 s' is not a duration (write e.g. 500ms, 2s, 1m, 1h or 1m30s)",
                "switchboard.yaml:12: pools.app.response-timeout: '-1s' is negative (durations are 0 or more)",
                "switchboard.yaml:13: pools.app.max-idle-per-backend: 'lots' is not a whole number (allowed: 0-10000)",
                "switchboard.yaml:14: pools.app.slow-start: '1.5ms' is finer than a millisecond",
                "switchboard.yaml:15: pools.app.when-all-down: unknown value 'fial', did you mean 'fail'? (allowed: fail, ignore-health)",
                "switchboard.yaml:16: pools.app.max-body: '1.5' is not a whole number of bytes");
    }

    @Test
    void poolProtocol() throws Exception {
        assertThat(load(MINIMAL).config().pools().get("app").protocol()).isEqualTo(BackendProtocol.HTTP_1_1);
        assertThat(load(MINIMAL + "    protocol: h2\n").config().pools().get("app").protocol()).isEqualTo(BackendProtocol.H2);
        assertThat(load(MINIMAL + "    protocol: http/1.1\n").config().pools().get("app").protocol()).isEqualTo(BackendProtocol.HTTP_1_1);
        assertThat(errors(MINIMAL + "    protocol: h2c\n")).containsExactly(
                "switchboard.yaml:9: pools.app.protocol: unknown value 'h2c', did you mean 'h2'? (allowed: http/1.1, h2)");
        assertThat(warnings(MINIMAL + "    protocol: h2\n    health: {type: http}\n")).containsExactly(
                "switchboard.yaml:9: warning: pools.app.protocol: health checks of type http speak HTTP/1.1; a server that only"
                        + " speaks HTTP/2 (gRPC) fails them: use type: tcp, or a port that speaks both");
        assertThat(warnings(MINIMAL + "    protocol: h2\n    health: {type: tcp}\n")).isEmpty();
    }

    @Test
    void badPoolName() {
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: my app
                pools:
                  my app:
                    servers: []
                """)).containsExactly(
                "switchboard.yaml:5: pools.my app: 'my app' is not a valid name (use up to 64 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit)");
    }

    @Test
    void healthCheckValues() {
        assertThat(errors(MINIMAL + """
                    health:
                      type: htp
                      method: get
                      path: health
                      expect-status: 399-200
                      interval: 0s
                      jitter: 150%
                      rise: 0
                      fall: many
                """)).containsExactly(
                "switchboard.yaml:10: pools.app.health.type: unknown value 'htp', did you mean 'http'? (allowed: none, tcp, http)",
                "switchboard.yaml:11: pools.app.health.method: 'get' is not an HTTP method (methods are upper case, e.g. GET, HEAD)",
                "switchboard.yaml:12: pools.app.health.path: 'health' must start with '/'",
                "switchboard.yaml:13: pools.app.health.expect-status: '399-200' is an empty range (write the lower code first)",
                "switchboard.yaml:14: pools.app.health.interval: '0s' must be more than 0",
                "switchboard.yaml:15: pools.app.health.jitter: 150% is out of range (allowed: 0-99%)",
                "switchboard.yaml:16: pools.app.health.rise: 0 is out of range (allowed: 1-100)",
                "switchboard.yaml:17: pools.app.health.fall: 'many' is not a whole number (allowed: 1-100)");
    }

    @Test
    void maxEjectionPercentIsAWholeNumberFrom0To100() {
        assertThat(errors(MINIMAL + "    passive:\n      max-ejection-percent: 101\n"))
                .containsExactly("switchboard.yaml:10: pools.app.passive.max-ejection-percent: 101 is out of range (allowed: 0-100)");
        assertThat(errors(MINIMAL + "    passive:\n      max-ejection-percent: 10%\n"))
                .containsExactly("switchboard.yaml:10: pools.app.passive.max-ejection-percent: '10%' is not a whole number (allowed: 0-100)");
    }

    @Test
    void expectStatusOutsideHttp() {
        assertThat(errors(MINIMAL + "    health:\n      type: http\n      expect-status: 99-600\n      jitter: 0.1\n"))
                .containsExactly(
                        "switchboard.yaml:11: pools.app.health.expect-status: '99-600' is out of range (allowed: 100-599)",
                        "switchboard.yaml:12: pools.app.health.jitter: '0.1' is not a percentage (write e.g. 10%)");
    }

    @Test
    void passiveValues() {
        assertThat(errors(MINIMAL + """
                    passive:
                      consecutive-failures: -1
                      count-5xx: yes
                      base-ejection: 30s
                      max-ejection: 10s
                """)).containsExactly(
                "switchboard.yaml:10: pools.app.passive.consecutive-failures: -1 is out of range (allowed: 0-1000)",
                "switchboard.yaml:11: pools.app.passive.count-5xx: 'yes' is not a boolean (allowed: true, false)",
                "switchboard.yaml:13: pools.app.passive.max-ejection: max-ejection 10s is shorter than base-ejection 30s"
                        + " (it must be at least as long)");
    }

    // ---- servers -------------------------------------------------------------------------------

    @Test
    void serverValues() {
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: app
                pools:
                  app:
                    servers:
                      - name: a
                        address: 127.0.0.1:9001
                      - name: b
                        address: 127.0.0.1:9002
                        weight: 300
                      - name: c
                        address: 127.0.0.1
                        state: down
                      - name: d
                        address: ::1:80
                      - name: e
                        address: "[::1]"
                      - name: f
                        address: 127.0.0.1:0
                      - name: g
                        address: bad_host!:80
                      - address: 127.0.0.1:9009
                      - just-a-name
                """)).containsExactly(
                "switchboard.yaml:11: pools.app.servers[1].weight: 300 is out of range (allowed: 0-256)",
                "switchboard.yaml:13: pools.app.servers[2].address: '127.0.0.1' has no port (expected host:port, e.g. 10.0.0.5:8080,"
                        + " app_1:80 or [::1]:80)",
                "switchboard.yaml:14: pools.app.servers[2].state: unknown state 'down' (allowed: ready, drain, maint)",
                "switchboard.yaml:16: pools.app.servers[3].address: '::1:80': an IPv6 address needs brackets, e.g. [::1]:80",
                "switchboard.yaml:18: pools.app.servers[4].address: '[::1]' has no port (expected host:port, e.g. 10.0.0.5:8080,"
                        + " app_1:80 or [::1]:80)",
                "switchboard.yaml:20: pools.app.servers[5].address: '127.0.0.1:0': port 0 is out of range (allowed: 1-65535)",
                "switchboard.yaml:22: pools.app.servers[6].address: 'bad_host!:80': 'bad_host!' is not a valid host name or IP"
                        + " address (a host name is dot-separated labels of letters, digits, '-' and '_')",
                "switchboard.yaml:23: pools.app.servers[7].name: required key is missing (a name unique in the pool)",
                "switchboard.yaml:24: pools.app.servers[8]: expected a server (name: ..., address: host:port); found a value");
    }

    @Test
    void duplicateServerNames() {
        assertThat(errors(MINIMAL + """
                      - name: b
                        address: 127.0.0.1:9002
                      - name: a
                        address: 127.0.0.1:9003
                """)).containsExactly(
                "switchboard.yaml:11: pools.app.servers[2].name: duplicate server name 'a' in pool 'app' (first at line 7);"
                        + " names identify servers across reloads");
    }

    // ---- process-wide settings -----------------------------------------------------------------

    @Test
    void processSettings() {
        assertThat(errors(MINIMAL + """
                event-loops: 2000
                transport: epol
                shutdown-grace: 2x
                access-log: /nonexistent-dir-for-switchboard-tests/access.log
                """)).containsExactly(
                "switchboard.yaml:9: event-loops: 2000 is out of range (allowed: 0-1024)",
                "switchboard.yaml:10: transport: unknown value 'epol', did you mean 'epoll'? (allowed: auto, epoll, io_uring, nio)",
                "switchboard.yaml:11: shutdown-grace: '2x' is not a duration (write e.g. 500ms, 2s, 1m, 1h or 1m30s)",
                "switchboard.yaml:12: access-log: directory /nonexistent-dir-for-switchboard-tests does not exist"
                        + " (allowed: stdout, off, or a file path)");
    }

    // ---- all at once ---------------------------------------------------------------------------

    @Test
    void everyErrorIsReportedInFileOrder() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("""
                listeners:
                  - port: 8080
                    default-pool: nope
                pools:
                  app:
                    retries: 99
                    servers:
                      - name: a
                        address: 127.0.0.1:9001
                        weight: 300
                transport: epol
                """));
        assertThat(e.problems()).extracting(ConfigProblem::line).containsExactly(3, 6, 10, 11);
        assertThat(e.file()).isEqualTo(FILE);
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(19);
        assertThat(e.key()).isEqualTo("listeners[0].default-pool");
        assertThat(e.getMessage()).isEqualTo(String.join("\n",
                "switchboard.yaml:3: listeners[0].default-pool: no pool named 'nope' (pools: app)",
                "switchboard.yaml:6: pools.app.retries: 99 is out of range (allowed: 0-10)",
                "switchboard.yaml:10: pools.app.servers[0].weight: 300 is out of range (allowed: 0-256)",
                "switchboard.yaml:11: transport: unknown value 'epol', did you mean 'epoll'? (allowed: auto, epoll, io_uring, nio)"));
    }

    // ---- warnings ------------------------------------------------------------------------------

    @Test
    void emptyAndUnusedPoolsLoadWithWarnings() throws Exception {
        assertThat(warnings(MINIMAL + """
                  spare:
                    servers: []
                  later:
                """)).containsExactly(
                "switchboard.yaml:9: warning: pools.spare: pool 'spare' is not used by any listener",
                "switchboard.yaml:10: warning: pools.spare.servers: pool 'spare' has no servers; requests sent to it are answered 503",
                "switchboard.yaml:11: warning: pools.later.servers: pool 'later' has no servers; requests sent to it are answered 503",
                "switchboard.yaml:11: warning: pools.later: pool 'later' is not used by any listener");
    }

    @Test
    void settingsThatHaveNoEffectAreWarnedAbout() throws Exception {
        assertThat(warnings(MINIMAL + """
                    hash-load-factor: 2
                    health:
                      path: /health
                      interval: 5s
                """)).containsExactly(
                "switchboard.yaml:9: warning: pools.app.hash-load-factor: only used by source-hash and uri-hash; ignored with round-robin",
                "switchboard.yaml:11: warning: pools.app.health.path: health checks are off (type: none), so 'path', 'interval' are"
                        + " ignored; set type: http or tcp to turn them on");
        assertThat(warnings(MINIMAL + "    health:\n      type: tcp\n      path: /health\n")).containsExactly(
                "switchboard.yaml:11: warning: pools.app.health.path: type: tcp only connects, so 'path' is ignored");
    }

    // ---- admin listener and access log format --------------------------------------------------

    @Test
    void adminIsOnByDefaultOnLoopbackWithoutAToken() throws Exception {
        SwitchboardConfig c = load(MINIMAL).config();
        assertThat(c.admin()).isEqualTo(new io.switchboard.config.AdminConfig(true, "127.0.0.1", 9000, null, null));
        assertThat(c.admin().toString()).isEqualTo("admin on 127.0.0.1:9000, no token (read-only)");
        assertThat(c.accessLogFormat()).isEqualTo("combined");
    }

    @Test
    void adminSectionReadsEveryKey() throws Exception {
        LoadedConfig loaded = load(MINIMAL + """
                access-log-format: json
                admin:
                  enabled: true
                  address: "::1"
                  port: 0
                  token: 0123456789abcdef0123
                """);
        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.config().accessLogFormat()).isEqualTo("json");
        assertThat(loaded.config().admin()).isEqualTo(
                new io.switchboard.config.AdminConfig(true, "::1", 0, "0123456789abcdef0123", "admin.token"));
        assertThat(loaded.config().admin().toString()).doesNotContain("0123456789abcdef0123");
        assertThat(load(MINIMAL + "admin:\n  enabled: false\n").config().admin().enabled()).isFalse();
    }

    @Test
    void adminTokenCanComeFromTheEnvironment() throws Exception {
        String path = System.getenv("PATH");
        org.junit.jupiter.api.Assumptions.assumeTrue(path != null && path.length() >= 16 && path.chars().allMatch(c -> c > ' ' && c < 0x7f));
        var admin = load(MINIMAL + "admin:\n  token-env: PATH\n").config().admin();
        assertThat(admin.token()).isEqualTo(path);
        assertThat(admin.tokenSource()).isEqualTo("environment variable PATH");
    }

    @Test
    void adminMistakesAreErrors() {
        assertThat(errors(MINIMAL + "admin:\n  token: short\n")).containsExactly("switchboard.yaml:10: admin.token: the token is 5"
                + " characters long; use at least 16 (e.g. the output of: openssl rand -hex 16)");
        assertThat(errors(MINIMAL + "admin:\n  token-env: SWITCHBOARD_TEST_SURELY_UNSET_TOKEN\n")).containsExactly(
                "switchboard.yaml:10: admin.token-env: environment variable SWITCHBOARD_TEST_SURELY_UNSET_TOKEN is not set (or is empty)");
        assertThat(errors(MINIMAL + "admin:\n  token: 0123456789abcdef0123\n  token-env: PATH\n")).containsExactly(
                "switchboard.yaml:11: admin.token-env: give either token or token-env, not both");
        assertThat(errors(MINIMAL + "admin:\n  port: 70000\n")).containsExactly(
                "switchboard.yaml:10: admin.port: 70000 is out of range (allowed: 0-65535)");
        assertThat(errors(MINIMAL + "admin:\n  tokn: 0123456789abcdef0123\n")).containsExactly(
                "switchboard.yaml:10: admin.tokn: unknown key 'tokn', did you mean 'token'? (allowed: enabled, address, port,"
                        + " token, token-env)");
        assertThat(errors(MINIMAL + "access-log-format: xml\n")).containsExactly(
                "switchboard.yaml:9: access-log-format: unknown value 'xml' (allowed: combined, json, switchboard)");
    }

    @Test
    void checkingAFileWarnsAboutAnUnsetTokenVariableInsteadOfFailing() throws Exception {
        String yaml = MINIMAL + "admin:\n  address: 0.0.0.0\n  token-env: SWITCHBOARD_TEST_SURELY_UNSET_TOKEN\n";
        LoadedConfig checked = ConfigLoader.parse(yaml, FILE, null, ConfigLoader.Purpose.CHECK);
        assertThat(checked.warnings()).extracting(ConfigProblem::toString).as("no second warning about the missing token").containsExactly(
                "switchboard.yaml:11: warning: admin.token-env: environment variable SWITCHBOARD_TEST_SURELY_UNSET_TOKEN is not set"
                        + " (or is empty); run refuses to start without it");
        assertThat(checked.config().admin().token()).isNull();
        assertThat(errors(yaml)).as("run and reload still need it").containsExactly(
                "switchboard.yaml:11: admin.token-env: environment variable SWITCHBOARD_TEST_SURELY_UNSET_TOKEN is not set (or is empty)");
    }

    @Test
    void anAdminListenerOthersCanReachWithoutATokenIsAWarning() throws Exception {
        assertThat(warnings(MINIMAL + "admin:\n  address: 0.0.0.0\n")).containsExactly("switchboard.yaml:10: warning:"
                + " admin.address: 0.0.0.0 is reachable from other hosts, but without a token (token or token-env) every request from"
                + " them is refused");
    }

    @Test
    void queueBodyRateAndMaxConnectionsAreReadAndChecked() throws Exception {
        var cfg = load("""
                listeners:
                  - port: 8080
                    default-pool: app
                    min-body-rate: 1k
                    body-rate-window: 5s
                pools:
                  app:
                    queue-size: 10
                    queue-timeout: 250ms
                    servers:
                      - name: a
                        address: 127.0.0.1:9001
                        max-connections: 32
                """).config();
        var l = cfg.listeners().get(0);
        assertThat(l.minBodyRate()).isEqualTo(1024);
        assertThat(l.bodyRateWindow()).isEqualTo(java.time.Duration.ofSeconds(5));
        var p = cfg.pools().get("app");
        assertThat(p.queueSize()).isEqualTo(10);
        assertThat(p.queueTimeout()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(p.servers().get(0).maxConnections()).isEqualTo(32);

        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: app
                    body-rate-window: 0s
                pools:
                  app:
                    queue-timeout: 0s
                    servers:
                      - name: a
                        address: 127.0.0.1:9001
                        max-connections: -1
                """)).containsExactly(
                "switchboard.yaml:4: listeners[0].body-rate-window: '0s' must be more than 0",
                "switchboard.yaml:7: pools.app.queue-timeout: '0s' must be more than 0",
                "switchboard.yaml:11: pools.app.servers[0].max-connections: -1 is out of range (allowed: 0-1000000)");
    }

    @Test
    void theTunnelIdleTimeoutIsReadWithAnHourForDefaultAndMustBePositive() throws Exception {
        assertThat(load(MINIMAL).config().listeners().get(0).tunnelIdleTimeout()).isEqualTo(java.time.Duration.ofHours(1));
        var l = load("""
                listeners:
                  - port: 8080
                    default-pool: app
                    tunnel-idle-timeout: 90s
                pools:
                  app:
                    servers:
                      - name: a
                        address: 127.0.0.1:9001
                """).config().listeners().get(0);
        assertThat(l.tunnelIdleTimeout()).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: app
                    tunnel-idle-timeout: 0s
                pools:
                  app:
                    servers:
                      - name: a
                        address: 127.0.0.1:9001
                """)).containsExactly("switchboard.yaml:4: listeners[0].tunnel-idle-timeout: '0s' must be more than 0");
    }

    private static final String HTTP2_POOLS = """
            pools:
              app:
                servers:
                  - name: a
                    address: 127.0.0.1:9001
            """;

    @Test
    void http2IsOnWithItsDefaultsUnlessTheListenerSaysOtherwise() throws Exception {
        assertThat(load(MINIMAL).config().listeners().get(0).http2()).isEqualTo(Http2Config.DEFAULT);
        var l = load("""
                listeners:
                  - port: 8080
                    default-pool: app
                    http2:
                      max-concurrent-streams: 250
                      initial-window-size: 1m
                      max-resets: 50
                      reset-window: 10s
                      max-control-frames: 400
                """ + HTTP2_POOLS).config().listeners().get(0);
        assertThat(l.http2()).isEqualTo(new Http2Config(true, 250, 1 << 20, 50, Duration.ofSeconds(10), 400));
        var off = load("""
                listeners:
                  - port: 8080
                    default-pool: app
                    http2:
                      enabled: false
                """ + HTTP2_POOLS).config().listeners().get(0);
        assertThat(off.http2().enabled()).isFalse();
        var shorthand = load("""
                listeners:
                  - port: 8080
                    default-pool: app
                    http2: false
                """ + HTTP2_POOLS).config().listeners().get(0);
        assertThat(shorthand.http2()).isEqualTo(Http2Config.DISABLED);
        var empty = load("""
                listeners:
                  - port: 8080
                    default-pool: app
                    http2:
                """ + HTTP2_POOLS).config().listeners().get(0);
        assertThat(empty.http2()).isEqualTo(Http2Config.DEFAULT);
    }

    @Test
    void http2ValuesOutOfRangeNameFileLineKeyAndWhatIsAllowed() {
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: app
                    http2:
                      enabled: maybe
                      max-concurrent-streams: 0
                      initial-window-size: 2g
                      max-resets: -1
                      reset-window: 500ms
                      max-control-frames: lots
                      max-concurrent-stream: 5
                """ + HTTP2_POOLS)).containsExactly(
                "switchboard.yaml:5: listeners[0].http2.enabled: 'maybe' is not a boolean (allowed: true, false)",
                "switchboard.yaml:6: listeners[0].http2.max-concurrent-streams: 0 is out of range (allowed: 1-10000)",
                "switchboard.yaml:7: listeners[0].http2.initial-window-size: 2g is out of range (allowed: 1-2147483647)",
                "switchboard.yaml:8: listeners[0].http2.max-resets: -1 is out of range (allowed: 1-1000000)",
                "switchboard.yaml:9: listeners[0].http2.reset-window: '500ms' is out of range (allowed: 1s-1h)",
                "switchboard.yaml:10: listeners[0].http2.max-control-frames: 'lots' is not a whole number (allowed: 1-1000000)",
                "switchboard.yaml:11: listeners[0].http2.max-concurrent-stream: unknown key 'max-concurrent-stream', did you mean"
                        + " 'max-concurrent-streams'? (allowed: enabled, max-concurrent-streams, initial-window-size, max-resets,"
                        + " reset-window, max-control-frames)");
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: app
                    http2: off
                """ + HTTP2_POOLS)).containsExactly(
                "switchboard.yaml:4: listeners[0].http2: 'off' is neither true, false nor a mapping of enabled,"
                        + " max-concurrent-streams, initial-window-size, max-resets, reset-window, max-control-frames");
    }

    @Test
    void serviceClassesAreRankedInOrderWithTheDefaultLastUnlessListed() throws Exception {
        var p = load("""
                listeners:
                  - port: 8080
                    default-pool: app
                pools:
                  app:
                    queue-size: 7
                    queue-timeout: 3s
                    class-age-bound: 1500ms
                    classes:
                      - name: gold
                        queue-size: 100
                        queue-timeout: 10s
                        retry-after: 1500ms
                      - name: bulk
                        tags: [cgi]
                    servers:
                      - {name: a, address: 127.0.0.1:9001, max-connections: 10, tags: [cgi, big]}
                      - {name: b, address: 127.0.0.1:9002}
                """).config().pools().get("app");
        assertThat(p.classAgeBound()).isEqualTo(java.time.Duration.ofMillis(1500));
        assertThat(p.classes()).extracting(c -> c.name()).containsExactly("gold", "bulk", "default");
        assertThat(p.classRank("gold")).isZero();
        assertThat(p.classRank(null)).isEqualTo(2);
        assertThat(p.classRank("silver")).isEqualTo(-1);
        var gold = p.classes().get(0);
        assertThat(gold.queueSize()).isEqualTo(100);
        assertThat(gold.retryAfterSeconds()).as("rounded up").isEqualTo(2);
        var bulk = p.classes().get(1);
        assertThat(bulk.queueSize()).as("the pool's").isEqualTo(7);
        assertThat(bulk.queueTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
        assertThat(bulk.retryAfterSeconds()).isEqualTo(-1);
        assertThat(bulk.tags()).containsExactly("cgi");
        assertThat(p.classes().get(2).queueSize()).isEqualTo(7);
        assertThat(p.servers().get(0).tags()).containsExactlyInAnyOrder("cgi", "big");
        assertThat(p.servers().get(1).tags()).isEmpty();

        var explicit = load(MINIMAL.replace("  app:\n", "  app:\n    classes:\n      - name: default\n        tags: [x]\n"
                + "      - name: low\n")).config().pools().get("app");
        assertThat(explicit.classes()).extracting(c -> c.name()).containsExactly("default", "low");
        assertThat(explicit.classRank(null)).isZero();
    }

    @Test
    void serviceClassMistakesNameTheLineAndTheKey() {
        assertThat(errors("""
                listeners:
                  - port: 8080
                    default-pool: app
                pools:
                  app:
                    class-age-bound: soon
                    classes:
                      - name: gold
                        queue-sise: 3
                      - name: gold
                      - name: bad name
                        retry-after: -1s
                      - bulk
                    servers:
                      - {name: a, address: 127.0.0.1:9001, tags: [ok, "no way"]}
                """)).containsExactly(
                "switchboard.yaml:6: pools.app.class-age-bound: 'soon' is not a duration (write e.g. 500ms, 2s, 1m, 1h or 1m30s)",
                "switchboard.yaml:9: pools.app.classes[0].queue-sise: unknown key 'queue-sise', did you mean 'queue-size'?"
                        + " (allowed: name, queue-size, queue-timeout, retry-after, tags)",
                "switchboard.yaml:10: pools.app.classes[1].name: duplicate class name 'gold' in pool 'app' (first at line 8);"
                        + " each class has one rank",
                "switchboard.yaml:11: pools.app.classes[2].name: 'bad name' is not a valid name (use up to 64 letters, digits,"
                        + " '.', '_' or '-', starting with a letter or digit)",
                "switchboard.yaml:12: pools.app.classes[2].retry-after: '-1s' is negative (durations are 0 or more)",
                "switchboard.yaml:13: pools.app.classes[3]: expected a service class (name: ..., queue-size: ..., queue-timeout: ...,"
                        + " retry-after: ..., tags: [...]); found a value",
                "switchboard.yaml:15: pools.app.servers[0].tags[1]: 'no way' is not a valid name (use up to 64 letters, digits,"
                        + " '.', '_' or '-', starting with a letter or digit)");
    }

    @Test
    void aClassWhoseTagsNoServerCarriesIsAWarning() throws Exception {
        assertThat(warnings("""
                listeners:
                  - port: 8080
                    default-pool: app
                pools:
                  app:
                    classes:
                      - name: bulk
                        tags: [cgi, big]
                    servers:
                      - {name: a, address: 127.0.0.1:9001, tags: [cgi]}
                      - {name: b, address: 127.0.0.1:9002, tags: [big]}
                """)).containsExactly("switchboard.yaml:8: warning: pools.app.classes[0].tags: no server of pool 'app' carries"
                + " all of cgi, big; requests of class 'bulk' are answered 503");
    }
}
