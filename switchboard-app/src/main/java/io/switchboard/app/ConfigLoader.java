package io.switchboard.app;

import io.switchboard.config.AdminConfig;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.Cidr;
import io.switchboard.config.ClusterConfig;
import io.switchboard.config.ProxyProtocolConfig;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.HostPortSyntax;
import io.switchboard.config.Http2Config;
import io.switchboard.config.IntegerSyntax;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.DnsConfig;
import io.switchboard.config.DsrConfig;
import io.switchboard.config.LoadFeedbackConfig;
import io.switchboard.config.LoadReportsConfig;
import io.switchboard.config.NameSyntax;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.config.TcpValidateConfig;
import io.switchboard.config.TlsConfig;
import io.switchboard.proxy.tls.SniContexts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads one YAML file into a validated {@link SwitchboardConfig}.
 *
 * <p>Every error names the file, the line, the key path and what would be valid, and all of them are
 * reported at once ({@link ConfigException#problems()}): a person fixing a config should need one
 * round trip, not one per mistake. Doubtful but usable settings (an empty pool) load with warnings.
 * The format and every default are documented in {@code docs/configuration.md}; keep the two in step.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class ConfigLoader {
    static final List<String> ROOT_KEYS = List.of("listeners", "pools", "event-loops", "transport", "shutdown-grace", "access-log",
            "watch-config", "access-log-format", "admin", "load-reports", "dns", "cluster", "dsr");
    static final List<String> ADMIN_KEYS = List.of("enabled", "address", "port", "token", "token-env");
    static final List<String> LISTENER_KEYS = List.of("name", "mode", "address", "port", "default-pool", "header-timeout",
            "client-idle-timeout", "max-request-line", "max-header-size", "max-headers", "max-connections",
            "max-connections-per-ip", "rate-limit", "allow", "deny", "min-body-rate", "body-rate-window", "routes",
            "tunnel-idle-timeout", "tls", "http2", "proxy-protocol", "splice", "validate", "sni-routes", "max-line",
            "first-words", "error-line");
    /** Listener keys that only a {@code mode: tcp} listener reads. */
    static final List<String> TCP_ONLY_LISTENER_KEYS = List.of("splice", "validate", "sni-routes", "max-line", "first-words",
            "error-line");
    static final Map<String, ListenerConfig.Splice> SPLICE_CHOICES = new TreeMap<>(Map.of(
            "auto", ListenerConfig.Splice.AUTO, "on", ListenerConfig.Splice.ON, "off", ListenerConfig.Splice.OFF));
    static final Map<String, ListenerConfig.Mode> LISTENER_MODES = new TreeMap<>(Map.of(
            "http", ListenerConfig.Mode.HTTP, "tcp", ListenerConfig.Mode.TCP)); // sorted: error messages list them in order
    /** Listener keys that only an HTTP listener reads: on a {@code mode: tcp} listener they are errors, not silently ignored. */
    static final List<String> HTTP_ONLY_LISTENER_KEYS = List.of("header-timeout", "max-request-line", "max-header-size",
            "max-headers", "rate-limit", "min-body-rate", "body-rate-window", "routes", "tunnel-idle-timeout", "tls", "http2");
    static final List<String> RATE_LIMIT_KEYS = List.of("requests-per-second", "burst");
    static final List<String> PROXY_PROTOCOL_KEYS = List.of("trusted");
    static final List<String> POOL_KEYS = List.of("algorithm", "hash-load-factor", "retries", "retry-on", "connect-timeout",
            "response-timeout", "backend-idle-timeout", "max-idle-per-backend", "slow-start", "when-all-down", "max-body",
            "queue-size", "queue-timeout", "class-age-bound", "classes", "health", "passive", "servers", "persistence",
            "lard-low", "lard-high", "lard-shrink-after", "tls", "protocol", "send-proxy", "load-feedback", "report-max-age", "candidacy");
    static final List<String> HEALTH_KEYS = List.of("type", "method", "path", "host", "expect-status", "interval", "timeout",
            "jitter", "rise", "fall");
    static final List<String> HTTP_ONLY_HEALTH_KEYS = List.of("method", "path", "host", "expect-status");
    static final List<String> PASSIVE_KEYS = List.of("consecutive-failures", "count-5xx", "base-ejection", "max-ejection",
            "max-ejection-percent");
    static final List<String> SERVER_KEYS = List.of("name", "address", "weight", "state", "max-connections", "tags", "send-proxy");

    // Defaults, as documented in docs/configuration.md.
    static final String DEFAULT_LISTEN_ADDRESS = "0.0.0.0";
    static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_CLIENT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** A TCP session's idle timeout by default: as long as a WebSocket tunnel's (sessions such as database connections idle for long). */
    static final Duration DEFAULT_TCP_IDLE_TIMEOUT = ListenerConfig.DEFAULT_TUNNEL_IDLE_TIMEOUT;
    static final int DEFAULT_MAX_REQUEST_LINE = 8192;
    static final int DEFAULT_MAX_HEADER_SIZE = 16384;
    static final String DEFAULT_ALGORITHM = "round-robin";
    static final double DEFAULT_HASH_LOAD_FACTOR = 1.25;
    static final int DEFAULT_RETRIES = 2;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_BACKEND_IDLE_TIMEOUT = Duration.ofSeconds(60);
    static final int DEFAULT_MAX_IDLE_PER_BACKEND = 512;
    static final int DEFAULT_WEIGHT = 1;
    static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

    static final Pattern HTTP_METHOD = Pattern.compile("[A-Z][A-Z-]{0,31}");
    static final Pattern STATUS_RANGE = Pattern.compile("(\\d{1,4})(?:\\s*-\\s*(\\d{1,4}))?");
    static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%");

    static final Map<String, HealthCheckConfig.Type> HEALTH_TYPES = ordered(
            "none", HealthCheckConfig.Type.NONE, "tcp", HealthCheckConfig.Type.TCP, "http", HealthCheckConfig.Type.HTTP);
    static final Map<String, AllDownPolicy> ALL_DOWN = ordered(
            "fail", AllDownPolicy.FAIL, "ignore-health", AllDownPolicy.IGNORE_HEALTH);
    private static final Map<String, String> TRANSPORTS = ordered("auto", "auto", "epoll", "epoll", "io_uring", "io_uring", "nio", "nio");
    private static final Map<String, String> ACCESS_LOG_FORMATS = ordered("combined", "combined", "json", "json",
            "switchboard", "switchboard");
    static final int MIN_TOKEN_LENGTH = 16;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ConfigLoader() {}

    /** What the file is loaded for: the environment it names must be complete only to be run. */
    public enum Purpose {
        /** {@code run} and reloads: everything the file refers to must exist now. */
        RUN,
        /**
         * {@code check}: the file is judged on its own, often where its secrets are not set (CI, another
         * host), so a missing token variable is a warning; {@code run} still refuses it.
         */
        CHECK
    }

    /**
     * Loads for {@link Purpose#RUN}.
     *
     * @param file as the user named it; messages repeat it verbatim
     * @throws ConfigException with every error found, when the file cannot be read or is not valid
     */
    public static LoadedConfig load(Path file) throws ConfigException {
        return load(file, Purpose.RUN);
    }

    /** @see #load(Path) */
    public static LoadedConfig load(Path file, Purpose purpose) throws ConfigException {
        String name = file.toString();
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new ConfigException(fileProblem(name, "no such file"));
        } catch (CharacterCodingException e) {
            throw new ConfigException(fileProblem(name, "not UTF-8 text"));
        } catch (IOException e) {
            throw new ConfigException(fileProblem(name, "cannot read: " + e.getMessage()));
        }
        return parse(text, name, file, purpose);
    }

    /**
     * @param fileName what messages call the text (a path, or the name of an embedded resource)
     * @param source recorded in the config for reloads; null for embedded text. Relative access-log
     *     paths are resolved against its directory.
     */
    public static LoadedConfig parse(String yaml, String fileName, Path source) throws ConfigException {
        return parse(yaml, fileName, source, Purpose.RUN);
    }

    /** @see #parse(String, String, Path) */
    public static LoadedConfig parse(String yaml, String fileName, Path source, Purpose purpose) throws ConfigException {
        Problems problems = new Problems(fileName);
        SwitchboardConfig config = read(yaml, source, purpose, problems);
        if (problems.hasErrors() || config == null) throw new ConfigException(problems.errors());
        return new LoadedConfig(config, problems.warnings());
    }

    private static ConfigProblem fileProblem(String file, String message) {
        return new ConfigProblem(ConfigProblem.Severity.ERROR, file, 0, 0, "", message);
    }

    /**
     * The second half of {@link #parse}: checks a tree already read (with its problems so far) and
     * builds the config. Split out so that a test can time reading and checking apart.
     */
    static LoadedConfig check(YamlNode tree, Problems problems, Path source, Purpose purpose) throws ConfigException {
        SwitchboardConfig config = tree == null ? null : check(tree, source, purpose, problems);
        if (problems.hasErrors() || config == null) throw new ConfigException(problems.errors());
        return new LoadedConfig(config, problems.warnings());
    }

    private static SwitchboardConfig read(String yaml, Path source, Purpose purpose, Problems problems) {
        YamlNode tree = YamlTreeReader.read(yaml, problems);
        if (tree == null) return null;
        return check(tree, source, purpose, problems);
    }

    private static SwitchboardConfig check(YamlNode tree, Path source, Purpose purpose, Problems problems) {
        if (!(tree instanceof YamlNode.Mapping)) {
            problems.error(tree, "", "expected a mapping with keys " + String.join(", ", ROOT_KEYS) + "; found " + tree.kind());
            return null;
        }
        Section root = Section.open(tree, "", tree.line(), tree.column(), problems, ROOT_KEYS);

        // a direct-server-return director forwards in the kernel: it needs no listener of its own
        if (!root.has("listeners") && !root.has("dsr")) {
            problems.error(root.line(), root.column(), "listeners", "required key is missing (a list with at least one listener)");
        }
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        Map<String, YamlNode.Entry> poolEntries = new LinkedHashMap<>();
        PoolSection.readPools(root, pools, poolEntries, source);
        List<ListenerConfig> listeners = readListeners(root, poolEntries, pools, source);

        int eventLoops = root.integer("event-loops", 0, 0, 1024);
        String transport = root.choice("transport", "auto", TRANSPORTS);
        Duration shutdownGrace = root.duration("shutdown-grace", DEFAULT_SHUTDOWN_GRACE, false);
        String accessLog = root.value("access-log", "stdout", s -> accessLogTarget(s, source));
        boolean watchConfig = root.bool("watch-config", true);
        String accessLogFormat = root.choice("access-log-format", SwitchboardConfig.DEFAULT_ACCESS_LOG_FORMAT, ACCESS_LOG_FORMATS);
        AdminConfig admin = readAdmin(root.section("admin", ADMIN_KEYS), purpose);
        LoadReportsConfig loadReports = LoadFeedbackSection.readReceiver(root, source, purpose, System::getenv);
        checkPushPools(root, pools, poolEntries);
        DnsConfig dns = DnsSection.read(root, poolEntries.keySet());
        ClusterConfig cluster = ClusterSection.read(root, source, purpose);
        DsrConfig dsr = DsrSection.read(root, pools, purpose);

        for (Map.Entry<String, YamlNode.Entry> e : poolEntries.entrySet()) {
            boolean used = listeners.stream().anyMatch(l -> l.defaultPool().equals(e.getKey())
                    || l.routes().stream().anyMatch(r -> r.action() instanceof RouteAction.Forward f && f.pool().equals(e.getKey())));
            if (!used && dns != null) used = dns.zones().stream().anyMatch(z -> z.pools().stream().anyMatch(n -> n.pool().equals(e.getKey()))
                    || z.srv().stream().anyMatch(n -> n.pool().equals(e.getKey())));
            if (!used && dsr != null) used = dsr.pool().equals(e.getKey());
            if (!used && !listeners.isEmpty()) {
                YamlNode.Entry at = e.getValue();
                problems.warn(at.line(), at.column(), "pools." + e.getKey(), "pool '" + e.getKey() + "' is not used by any listener");
            }
        }
        if (problems.hasErrors()) return null;
        return new SwitchboardConfig(source, listeners, pools, eventLoops, transport, shutdownGrace, accessLog,
                accessLogFormat, admin, watchConfig, loadReports, dns, cluster, dsr);
    }

    /**
     * A pool with {@code load-feedback: push} needs the receiver ({@code load-reports}); a receiver
     * that no pool reads is a warning (it is not started).
     */
    private static void checkPushPools(Section root, Map<String, PoolConfig> pools, Map<String, YamlNode.Entry> poolEntries) {
        Problems problems = root.problems();
        boolean anyPush = false;
        for (PoolConfig pc : pools.values()) {
            if (pc.loadFeedback() == null || pc.loadFeedback().mode() != LoadFeedbackConfig.Mode.PUSH) continue;
            anyPush = true;
            if (root.has("load-reports")) continue;
            YamlNode.Entry pool = poolEntries.get(pc.name());
            YamlNode.Entry at = pool.value() instanceof YamlNode.Mapping m ? m.entries().get("load-feedback") : pool;
            problems.error(at.line(), at.column(), "pools." + pc.name() + ".load-feedback", "push needs a receiver: add"
                    + " load-reports: {listen: 0.0.0.0:" + LoadReportsConfig.DEFAULT_PORT + ", key-file: ...} at the top"
                    + " of the file (or pull with agent-check: {port: N})");
        }
        if (!anyPush && root.has("load-reports") && !pools.isEmpty()) {
            YamlNode.Entry e = root.entry("load-reports");
            problems.warn(e.line(), e.column(), "load-reports", "no pool has load-feedback: push; the receiver is not started");
        }
    }

    // ---- pools ---------------------------------------------------------------------------------

    private record Placed(ListenerConfig listener, YamlNode portNode, String path) {}

    private static List<ListenerConfig> readListeners(Section root, Map<String, YamlNode.Entry> poolEntries,
                                                      Map<String, PoolConfig> pools, Path source) {
        Problems problems = root.problems();
        YamlNode.Entry e = root.entry("listeners");
        if (e == null) return List.of(); // reported before the pools, in key order
        YamlNode.Sequence list = root.list("listeners");
        if (list == null) return List.of();
        if (list.items().isEmpty()) {
            problems.error(e.line(), e.column(), "listeners", "at least one listener is required");
            return List.of();
        }
        List<Placed> placed = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = "listeners[" + i + "]";
            if (!(item instanceof YamlNode.Mapping)) {
                problems.error(item, path, "expected a listener (port: ..., default-pool: ...); found " + item.kind());
                continue;
            }
            Section s = Section.open(item, path, item.line(), item.column(), problems, LISTENER_KEYS);
            String name = s.value("name", "listener-" + i, NameSyntax::parse);
            Integer first = names.putIfAbsent(name, s.has("name") ? s.entry("name").line() : item.line());
            if (first != null) {
                YamlNode at = s.has("name") ? s.entry("name").value() : item;
                problems.error(at, s.keyPath("name"), "duplicate listener name '" + name + "' (first at line " + first + ")");
            }
            ListenerConfig.Mode mode = s.choice("mode", ListenerConfig.Mode.HTTP, LISTENER_MODES);
            // validate: http hands the connection to the HTTP path, so the HTTP settings apply to it.
            boolean httpPath = mode == ListenerConfig.Mode.HTTP || s.has("validate")
                    && s.entry("validate").value() instanceof YamlNode.Scalar v && "http".equals(v.text().trim());
            if (!httpPath) refuseHttpOnlyKeys(s);
            else if (mode == ListenerConfig.Mode.HTTP) refuseTcpOnlyKeys(s);
            ListenerConfig.Splice splice = s.choice("splice", ListenerConfig.Splice.AUTO, SPLICE_CHOICES);
            String host = s.value("address", DEFAULT_LISTEN_ADDRESS, HostPortSyntax::host);
            Integer port = s.required("port", "1-65535, or 0 for any free port", v -> IntegerSyntax.parse(v, 0, 65535));
            String pool = s.required("default-pool", "the name of a pool", v -> v);
            if (pool != null && !poolEntries.containsKey(pool)) {
                YamlNode.Entry pe = s.entry("default-pool");
                String known = poolEntries.isEmpty() ? "none defined" : "pools: " + String.join(", ", poolEntries.keySet());
                problems.error(pe.value(), s.keyPath("default-pool"),
                        "no pool named '" + pool + "'" + Spelling.suggestion(pool, poolEntries.keySet()) + " (" + known + ")");
            }
            Duration headerTimeout = s.duration("header-timeout", DEFAULT_HEADER_TIMEOUT, true);
            Duration idleTimeout = s.duration("client-idle-timeout",
                    httpPath ? DEFAULT_CLIENT_IDLE_TIMEOUT : DEFAULT_TCP_IDLE_TIMEOUT, true);
            int maxLine = (int) s.size("max-request-line", DEFAULT_MAX_REQUEST_LINE, 256, 1 << 20);
            int maxHeader = (int) s.size("max-header-size", DEFAULT_MAX_HEADER_SIZE, 1 << 10, 1 << 20);
            int maxHeaders = s.integer("max-headers", ListenerConfig.DEFAULT_MAX_HEADERS, 1, 10_000);
            GuardConfig guard = readGuard(s);
            long minBodyRate = s.size("min-body-rate", ListenerConfig.DEFAULT_MIN_BODY_RATE, 0, 1L << 40);
            Duration bodyRateWindow = s.duration("body-rate-window", ListenerConfig.DEFAULT_BODY_RATE_WINDOW, true);
            Duration tunnelIdle = s.duration("tunnel-idle-timeout", ListenerConfig.DEFAULT_TUNNEL_IDLE_TIMEOUT, true);
            List<RouteConfig> routes = RouteSection.read(s, poolEntries, pools);
            Http2Config http2 = Http2Section.read(s);
            TlsConfig tls = TlsSection.read(s, source, http2.enabled() ? SniContexts.ALPN : SniContexts.ALPN_HTTP1);
            ProxyProtocolConfig proxyProtocol = readProxyProtocol(s);
            TcpValidateConfig validate = mode == ListenerConfig.Mode.TCP ? TcpValidateSection.read(s, poolEntries) : null;
            if (port == null || pool == null) continue;
            placed.add(new Placed(new ListenerConfig(name, host, port, pool, headerTimeout, idleTimeout, maxLine, maxHeader,
                    maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, tunnelIdle, tls, http2, proxyProtocol, splice,
                    validate), s.entry("port").value(), path));
        }
        checkPortClashes(placed, problems);
        return placed.stream().map(Placed::listener).toList();
    }

    /** A {@code mode: tcp} listener relays bytes unread: an HTTP setting on it would do nothing, so it is an error. */
    private static void refuseHttpOnlyKeys(Section s) {
        for (String key : HTTP_ONLY_LISTENER_KEYS) {
            YamlNode.Entry e = s.entry(key);
            if (e == null) continue;
            List<String> tcpKeys = LISTENER_KEYS.stream().filter(k -> !HTTP_ONLY_LISTENER_KEYS.contains(k)).toList();
            s.problems().error(e.line(), e.column(), s.keyPath(key), "applies to mode: http listeners only; this listener has"
                    + " mode: tcp (its keys: " + String.join(", ", tcpKeys) + ")");
        }
    }

    /**
     * A listener's {@code proxy-protocol: {trusted: [networks]}}: the peers that must (and the only ones
     * that may) open with a PROXY protocol header; null when absent.
     */
    private static ProxyProtocolConfig readProxyProtocol(Section listener) {
        YamlNode.Entry e = listener.entry("proxy-protocol");
        if (e == null) return null;
        Section s = listener.section("proxy-protocol", PROXY_PROTOCOL_KEYS);
        List<Cidr> trusted = cidrs(s, "trusted");
        if (trusted.isEmpty()) {
            if (s.has("trusted") || e.value() instanceof YamlNode.Mapping || e.value() instanceof YamlNode.Scalar v && v.isEmpty()) {
                YamlNode.Entry t = s.entry("trusted");
                listener.problems().error(t != null ? t.line() : e.line(), t != null ? t.column() : e.column(), s.keyPath("trusted"),
                        (t == null ? "required key is missing" : "must list at least one network")
                                + " (the addresses of the proxies in front that send PROXY headers, e.g. [10.0.0.0/8, 127.0.0.1])");
            }
            return null;
        }
        return new ProxyProtocolConfig(trusted);
    }

    /** Keys that only a {@code mode: tcp} listener reads (splice, the validator's): on an HTTP listener they would do nothing, so they are errors. */
    private static void refuseTcpOnlyKeys(Section s) {
        for (String key : TCP_ONLY_LISTENER_KEYS) {
            YamlNode.Entry e = s.entry(key);
            if (e == null) continue;
            s.problems().error(e.line(), e.column(), s.keyPath(key), "applies to mode: tcp listeners only; this listener has"
                    + " mode: http");
        }
    }

    /** Two listeners on one port clash when they share the host or either binds every address. */
    private static void checkPortClashes(List<Placed> placed, Problems problems) {
        for (int i = 0; i < placed.size(); i++) {
            ListenerConfig b = placed.get(i).listener();
            if (b.port() == 0) continue;
            for (int j = 0; j < i; j++) {
                ListenerConfig a = placed.get(j).listener();
                if (a.port() == b.port() && (a.host().equals(b.host()) || wildcard(a.host()) || wildcard(b.host()))) {
                    problems.error(placed.get(i).portNode(), placed.get(i).path() + ".port", "port " + b.port()
                            + " is already used by listener '" + a.name() + "' on " + a.address()
                            + " (line " + placed.get(j).portNode().line() + ")");
                    break;
                }
            }
        }
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** Connection limits, the rate limit and the address lists of one listener (seed 004). */
    private static GuardConfig readGuard(Section s) {
        Problems problems = s.problems();
        int maxConnections = s.integer("max-connections", 0, 0, 10_000_000);
        int maxPerIp = s.integer("max-connections-per-ip", 0, 0, 10_000_000);
        if (maxConnections > 0 && maxPerIp > maxConnections) {
            YamlNode.Entry e = s.entry("max-connections-per-ip");
            problems.warn(e.line(), e.column(), s.keyPath("max-connections-per-ip"), "max-connections-per-ip " + maxPerIp
                    + " is more than max-connections " + maxConnections + ", so it never applies");
        }
        double rate = 0;
        int burst = 0;
        YamlNode.Entry rateEntry = s.entry("rate-limit");
        if (rateEntry != null) {
            Section r = s.section("rate-limit", RATE_LIMIT_KEYS); // reports a value or list where a mapping belongs
            boolean mapping = rateEntry.value() instanceof YamlNode.Mapping
                    || rateEntry.value() instanceof YamlNode.Scalar empty && empty.isEmpty();
            if (mapping) {
                Double rps = r.required("requests-per-second", "requests per second per client, e.g. 10 or 0.5",
                        ConfigLoader::requestRate);
                burst = r.integer("burst", rps == null ? 1 : GuardConfig.defaultBurst(rps), 1, 1_000_000);
                if (rps != null) rate = rps;
            }
        }
        List<Cidr> allow = cidrs(s, "allow");
        List<Cidr> deny = cidrs(s, "deny");
        if (!allow.isEmpty() && !deny.isEmpty()) {
            for (Cidr d : deny) {
                if (allow.contains(d)) {
                    YamlNode.Entry e = s.entry("deny");
                    problems.warn(e.line(), e.column(), s.keyPath("deny"), d + " is in both allow and deny; deny wins");
                }
            }
        }
        return new GuardConfig(maxConnections, maxPerIp, rate, burst, allow, deny);
    }

    private static double requestRate(String s) {
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number (allowed: more than 0 up to 1000000, e.g. 10 or 0.5)");
        }
        if (!(v > 0) || v > 1_000_000) throw new IllegalArgumentException(s + " is out of range (allowed: more than 0 up to 1000000)");
        return v;
    }

    /** A list of networks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or single addresses. */
    private static List<Cidr> cidrs(Section s, String key) {
        Problems problems = s.problems();
        YamlNode.Sequence list = s.list(key);
        List<Cidr> out = new ArrayList<>();
        if (list == null) return out;
        Map<Cidr, Integer> first = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = s.keyPath(key) + "[" + i + "]";
            if (item instanceof YamlNode.Scalar alias && alias.broken()) continue; // already reported
            if (!(item instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                problems.error(item, path, "expected an address or network (e.g. 10.0.0.0/8 or 2001:db8::/32); found " + item.kind());
                continue;
            }
            try {
                Cidr c = Cidr.parse(sc.text());
                Integer line = first.putIfAbsent(c, item.line());
                if (line != null) {
                    problems.warn(item, path, c + " is listed twice (first at line " + line + ")");
                    continue;
                }
                out.add(c);
            } catch (IllegalArgumentException e) {
                problems.error(item, path, e.getMessage());
            }
        }
        return out;
    }

    // ---- process-wide settings -----------------------------------------------------------------

    /**
     * "stdout", "off", or a file. A relative path is taken relative to the config file, so that the
     * same config means the same file whatever directory the service is started from.
     */
    private static String accessLogTarget(String s, Path source) {
        if (s.equals("stdout") || s.equals("off")) return s;
        Path p = Path.of(s);
        if (!p.isAbsolute() && source != null) {
            Path dir = source.toAbsolutePath().getParent();
            if (dir != null) p = dir.resolve(p);
        }
        p = p.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) throw new IllegalArgumentException("'" + s + "' is a directory (give a file path, 'stdout' or 'off')");
        Path dir = p.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("directory " + dir + " does not exist (allowed: stdout, off, or a file path)");
        }
        return p.toString();
    }

    /**
     * The admin listener. On unless {@code enabled: false}; a token comes from the file or from an
     * environment variable (read now, so that a missing variable is a config error with a line, or
     * for {@link Purpose#CHECK} a warning).
     */
    private static AdminConfig readAdmin(Section s, Purpose purpose) {
        Problems problems = s.problems();
        boolean enabled = s.bool("enabled", AdminConfig.DEFAULTS.enabled());
        String host = s.value("address", AdminConfig.DEFAULT_HOST, HostPortSyntax::host);
        int port = s.integer("port", AdminConfig.DEFAULT_PORT, 0, 65535);
        String token = s.value("token", null, ConfigLoader::adminToken);
        String tokenSource = token == null ? null : "admin.token";
        String env = s.value("token-env", null, ConfigLoader::envName);
        if (env != null && s.has("token")) {
            YamlNode.Entry e = s.entry("token-env");
            problems.error(e.line(), e.column(), s.keyPath("token-env"), "give either token or token-env, not both");
        } else if (env != null) {
            YamlNode.Entry e = s.entry("token-env");
            String value = System.getenv(env);
            String missing = "environment variable " + env + " is not set (or is empty)";
            if ((value == null || value.isEmpty()) && purpose == Purpose.CHECK) {
                problems.warn(e.value(), s.keyPath("token-env"), missing + "; run refuses to start without it");
            } else if (value == null || value.isEmpty()) {
                problems.error(e.value(), s.keyPath("token-env"), missing);
            } else {
                try {
                    token = adminToken(value);
                    tokenSource = "environment variable " + env;
                } catch (IllegalArgumentException bad) {
                    problems.error(e.value(), s.keyPath("token-env"), "environment variable " + env + ": " + bad.getMessage());
                }
            }
        }
        // with token-env given, a missing token was reported above: once is enough
        if (enabled && token == null && env == null && s.has("address") && !isLoopback(host)) {
            YamlNode.Entry e = s.entry("address");
            problems.warn(e.line(), e.column(), s.keyPath("address"), host + " is reachable from other hosts, but without a"
                    + " token (token or token-env) every request from them is refused");
        }
        return new AdminConfig(enabled, host, port, token, tokenSource);
    }

    /** Long enough not to be guessed, and nothing that an Authorization header could not carry. */
    private static String adminToken(String s) {
        if (s.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("the token contains a space or a character that is not printable ASCII");
        }
        if (s.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("the token is " + s.length() + " characters long; use at least " + MIN_TOKEN_LENGTH
                    + " (e.g. the output of: openssl rand -hex 16)");
        }
        return s;
    }

    static String envName(String s) {
        if (ENV_NAME.matcher(s).matches()) return s;
        throw new IllegalArgumentException("'" + s + "' is not an environment variable name (letters, digits and '_',"
                + " not starting with a digit)");
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
    }

    static String quoteAll(List<String> keys) {
        return String.join(", ", keys.stream().map(k -> "'" + k + "'").toList());
    }

    @SuppressWarnings("unchecked")
    static <T> Map<String, T> ordered(Object... kv) {
        Map<String, T> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (T) kv[i + 1]);
        return Collections.unmodifiableMap(m);
    }
}
