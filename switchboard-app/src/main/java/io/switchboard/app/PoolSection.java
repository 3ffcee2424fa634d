package io.switchboard.app;

import io.switchboard.balance.Algorithms;
import io.switchboard.balance.Candidacy;
import io.switchboard.config.AdminStateSyntax;
import io.switchboard.config.DurationSyntax;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.BackendProtocol;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.HostPort;
import io.switchboard.config.HostPortSyntax;
import io.switchboard.config.LoadFeedbackConfig;
import io.switchboard.config.NameSyntax;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.config.RetryOn;
import io.switchboard.config.SendProxy;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.ServiceClassConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import static io.switchboard.app.ConfigLoader.*;

/**
 * Reads the {@code pools} section of the config file: each pool's algorithm, retries and
 * {@code retry-on}, timeouts, service classes, health checks, passive health and servers (with their
 * tags), with the same precise problems (file, line, key, what is allowed) as the rest of {@link
 * ConfigLoader}, which reads the file's other sections and holds the keys and defaults both use.
 *
 * <p>Threading: stateless; problems go to the {@link Section}'s collector.
 */
final class PoolSection {
    /** The {@code protocol} of a pool: what it speaks to its back ends. */
    static final Map<String, BackendProtocol> PROTOCOLS = ordered("http/1.1", BackendProtocol.HTTP_1_1, "h2", BackendProtocol.H2);
    /** The {@code send-proxy} of a pool: the PROXY protocol header each new back-end connection starts with. */
    static final Map<String, ProxyProtocolVersion> SEND_PROXY = ordered("v1", ProxyProtocolVersion.V1, "v2", ProxyProtocolVersion.V2);
    /** A server's own {@code send-proxy}: overrides the pool's; {@code off} sends none even when the pool does. */
    static final Map<String, SendProxy> SERVER_SEND_PROXY = ordered("v1", SendProxy.V1, "v2", SendProxy.V2, "off", SendProxy.OFF);
    static final List<String> CLASS_KEYS = List.of("name", "queue-size", "queue-timeout", "retry-after", "tags");

    private PoolSection() {}

    static void readPools(Section root, Map<String, PoolConfig> out, Map<String, YamlNode.Entry> entries) {
        readPools(root, out, entries, null);
    }

    /** @param source the config file (a pool's TLS files are relative to it); null: the working directory */
    static void readPools(Section root, Map<String, PoolConfig> out, Map<String, YamlNode.Entry> entries, Path source) {
        Problems problems = root.problems();
        YamlNode.Entry e = root.entry("pools");
        if (e == null) {
            problems.error(root.line(), root.column(), "pools", "required key is missing (a map of pool name to pool, with at least one pool)");
            return;
        }
        if (!(e.value() instanceof YamlNode.Mapping m) || m.entries().isEmpty()) {
            boolean empty = e.value() instanceof YamlNode.Mapping || e.value() instanceof YamlNode.Scalar s && s.isEmpty();
            problems.error(empty ? e.line() : e.value().line(), empty ? e.column() : e.value().column(), "pools",
                    empty ? "at least one pool is required" : "expected a map of pool name to pool; found " + e.value().kind());
            return;
        }
        for (YamlNode.Entry p : m.entries().values()) {
            String path = "pools." + p.key();
            try {
                NameSyntax.parse(p.key());
            } catch (IllegalArgumentException ex) {
                problems.error(p.line(), p.column(), path, ex.getMessage());
            }
            entries.put(p.key(), p);
            Section ps = Section.open(p.value(), path, p.line(), p.column(), problems, POOL_KEYS);
            BackendProtocol protocol = ps.choice("protocol", BackendProtocol.HTTP_1_1, PROTOCOLS);
            PoolConfig pool = readPool(p.key(), ps, p, protocol);
            if (protocol == BackendProtocol.H2 && pool != null && pool.health().type() == HealthCheckConfig.Type.HTTP) {
                YamlNode.Entry pe = ps.entry("protocol");
                problems.warn(pe.line(), pe.column(), ps.keyPath("protocol"), "health checks of type http speak HTTP/1.1;"
                        + " a server that only speaks HTTP/2 (gRPC) fails them: use type: tcp, or a port that speaks both");
            }
            ProxyProtocolVersion sendProxy = ps.choice("send-proxy", null, SEND_PROXY);
            if (sendProxy != null && protocol == BackendProtocol.H2) {
                YamlNode.Entry se = ps.entry("send-proxy");
                problems.error(se.line(), se.column(), ps.keyPath("send-proxy"), "needs protocol: http/1.1 (an h2 connection carries"
                        + " the streams of many clients; a PROXY header names one client)");
                sendProxy = null;
            }
            LoadFeedbackConfig feedback = LoadFeedbackSection.readPool(ps);
            Duration reportMaxAge = reportMaxAge(ps, pool);
            List<String> candidacy = candidacy(ps, pool);
            if (pool != null) {
                out.put(p.key(), pool.withTls(BackendTlsSection.read(ps, source)).withProtocol(protocol).withSendProxy(sendProxy)
                        .withLoadFeedback(feedback).withLoadBalancing(reportMaxAge, candidacy));
            }
        }
    }

    private static PoolConfig readPool(String name, Section s, YamlNode.Entry at, BackendProtocol protocol) {
        Problems problems = s.problems();
        String algorithm = s.value("algorithm", DEFAULT_ALGORITHM, PoolSection::algorithm);
        double hashLoadFactor = s.value("hash-load-factor", DEFAULT_HASH_LOAD_FACTOR, PoolSection::loadFactor);
        if (s.has("hash-load-factor") && !algorithm.endsWith("-hash")) {
            YamlNode.Entry h = s.entry("hash-load-factor");
            problems.warn(h.line(), h.column(), s.keyPath("hash-load-factor"),
                    "only used by source-hash and uri-hash; ignored with " + algorithm);
        }
        int[] lard = lardThresholds(s, algorithm);
        Duration lardShrinkAfter = s.duration("lard-shrink-after", PoolConfig.DEFAULT_LARD_SHRINK_AFTER, true);
        if (s.has("lard-shrink-after") && !algorithm.equals("lard-r")) {
            YamlNode.Entry k = s.entry("lard-shrink-after");
            problems.warn(k.line(), k.column(), s.keyPath("lard-shrink-after"), "only used by lard-r; ignored with " + algorithm);
        }
        int retries = s.integer("retries", DEFAULT_RETRIES, 0, 10);
        Set<RetryOn> retryOn = retryOn(s);
        Duration connectTimeout = s.duration("connect-timeout", DEFAULT_CONNECT_TIMEOUT, true);
        Duration responseTimeout = s.duration("response-timeout", DEFAULT_RESPONSE_TIMEOUT, true);
        Duration backendIdle = s.duration("backend-idle-timeout", DEFAULT_BACKEND_IDLE_TIMEOUT, true);
        int maxIdle = s.integer("max-idle-per-backend", DEFAULT_MAX_IDLE_PER_BACKEND, 0, 10_000);
        Duration slowStart = s.duration("slow-start", Duration.ZERO, false);
        AllDownPolicy allDown = s.choice("when-all-down", AllDownPolicy.FAIL, ALL_DOWN);
        long maxBody = s.size("max-body", 0, 0, Long.MAX_VALUE);
        int queueSize = s.integer("queue-size", PoolConfig.DEFAULT_QUEUE_SIZE, 0, 1_000_000);
        Duration queueTimeout = s.duration("queue-timeout", PoolConfig.DEFAULT_QUEUE_TIMEOUT, true);
        HealthCheckConfig health = readHealth(s.section("health", HEALTH_KEYS));
        PassiveHealthConfig passive = readPassive(s.section("passive", PASSIVE_KEYS));
        Duration classAgeBound = s.duration("class-age-bound", PoolConfig.DEFAULT_CLASS_AGE_BOUND, false);
        List<ServerConfig> servers = readServers(name, s, protocol);
        List<ServiceClassConfig> classes = readClasses(name, s, queueSize, queueTimeout, servers);
        YamlNode.Entry e = s.entry("servers");
        boolean noneDeclared = e == null || e.value() instanceof YamlNode.Scalar sc && sc.isEmpty()
                || e.value() instanceof YamlNode.Sequence seq && seq.items().isEmpty();
        if (noneDeclared) {
            problems.warn(e == null ? at.line() : e.line(), e == null ? at.column() : e.column(), s.keyPath("servers"),
                    "pool '" + name + "' has no servers; requests sent to it are answered 503");
        }
        PersistenceConfig persistence = PersistenceSection.read(s, System::getenv);
        return new PoolConfig(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdle,
                maxIdle, slowStart, allDown, health, passive, maxBody, servers, queueSize, queueTimeout, retryOn,
                classes, classAgeBound, persistence, lard[0], lard[1], lardShrinkAfter);
    }

    /**
     * {@code lard-low} and {@code lard-high}: the LARD algorithms' T_low and T_high, requests in
     * flight, {@code 1 <= low < high}; the defaults when either is wrong (the error is recorded).
     */
    private static int[] lardThresholds(Section s, String algorithm) {
        Problems problems = s.problems();
        int low = s.integer("lard-low", PoolConfig.DEFAULT_LARD_LOW, 1, PoolConfig.MAX_LARD_HIGH - 1);
        int high = s.integer("lard-high", PoolConfig.DEFAULT_LARD_HIGH, 2, PoolConfig.MAX_LARD_HIGH);
        List<String> set = s.present(List.of("lard-low", "lard-high"));
        if (set.isEmpty()) return new int[] {low, high};
        if (low >= high) {
            String key = s.has("lard-high") ? "lard-high" : "lard-low";
            problems.error(s.entry(key).value(), s.keyPath(key), "lard-low " + low + (s.has("lard-low") ? "" : " (the default)")
                    + " must be below lard-high " + high + (s.has("lard-high") ? "" : " (the default)")
                    + " (a back end under lard-low is nearly idle, one over lard-high overloaded)");
            return new int[] {PoolConfig.DEFAULT_LARD_LOW, PoolConfig.DEFAULT_LARD_HIGH};
        }
        if (!algorithm.startsWith("lard")) {
            YamlNode.Entry first = s.entry(set.get(0));
            problems.warn(first.line(), first.column(), s.keyPath(set.get(0)), "only used by lard and lard-r; "
                    + quoteAll(set) + " " + (set.size() == 1 ? "is" : "are") + " ignored with " + algorithm);
        }
        return new int[] {low, high};
    }

    /**
     * {@code classes}: the pool's service classes, most urgent first. A class's queue keys default to
     * the pool's. Tags no server carries are a warning, like a pool without servers: the file is
     * consistent, the class's requests are answered 503 until such a server is added.
     */
    private static List<ServiceClassConfig> readClasses(String pool, Section s, int queueSize, Duration queueTimeout,
                                                        List<ServerConfig> servers) {
        Problems problems = s.problems();
        YamlNode.Sequence list = s.list("classes");
        List<ServiceClassConfig> out = new ArrayList<>();
        if (list == null) return out;
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = s.keyPath("classes") + "[" + i + "]";
            if (!(item instanceof YamlNode.Mapping)) {
                problems.error(item, path, "expected a service class (name: ..., queue-size: ..., queue-timeout: ..., retry-after: ...,"
                        + " tags: [...]); found " + item.kind());
                continue;
            }
            Section c = Section.open(item, path, item.line(), item.column(), problems, CLASS_KEYS);
            String name = c.required("name", "a name unique in the pool; 'default' is the class of requests that name none",
                    NameSyntax::parse);
            int size = c.integer("queue-size", queueSize, 0, 1_000_000);
            Duration timeout = c.duration("queue-timeout", queueTimeout, true);
            Duration retryAfter = c.duration("retry-after", null, false);
            Set<String> tags = readTags(c);
            if (name == null) continue;
            Integer firstLine = seen.putIfAbsent(name, c.entry("name").line());
            if (firstLine != null) {
                problems.error(c.entry("name").value(), c.keyPath("name"), "duplicate class name '" + name + "' in pool '" + pool
                        + "' (first at line " + firstLine + "); each class has one rank");
                continue;
            }
            if (!tags.isEmpty() && servers.stream().noneMatch(sc -> sc.tags().containsAll(tags))) {
                YamlNode.Entry t = c.entry("tags");
                problems.warn(t.line(), t.column(), c.keyPath("tags"), "no server of pool '" + pool + "' carries all of "
                        + String.join(", ", tags) + "; requests of class '" + name + "' are answered 503");
            }
            out.add(new ServiceClassConfig(name, size, timeout, retryAfter, tags));
        }
        return out;
    }

    /** {@code report-max-age}: how old an agent report least-load still believes; a warning with another algorithm. */
    private static Duration reportMaxAge(Section s, PoolConfig pool) {
        Duration d = s.duration("report-max-age", PoolConfig.DEFAULT_REPORT_MAX_AGE, true);
        if (s.has("report-max-age") && pool != null && !pool.algorithm().equals("least-load")) {
            YamlNode.Entry e = s.entry("report-max-age");
            s.problems().warn(e.line(), e.column(), s.keyPath("report-max-age"), "only used by least-load; ignored with "
                    + pool.algorithm() + " (chain has its own: by-age <duration>)");
        }
        return d;
    }

    /**
     * {@code candidacy}: chain's candidacy functions in order, e.g. {@code [by-age 3s, by-random,
     * by-log-window, by-load]}; absent: the default chain. Each word is checked here, with the allowed
     * functions and a spelling suggestion; a warning with another algorithm.
     */
    private static List<String> candidacy(Section s, PoolConfig pool) {
        if (!s.has("candidacy")) return List.of();
        Problems problems = s.problems();
        YamlNode.Sequence list = s.list("candidacy");
        if (list == null) return List.of(); // not a list: reported
        if (pool != null && !pool.algorithm().equals("chain")) {
            YamlNode.Entry e = s.entry("candidacy");
            problems.warn(e.line(), e.column(), s.keyPath("candidacy"), "only used by chain; ignored with " + pool.algorithm());
        }
        List<String> out = new ArrayList<>();
        if (list.items().isEmpty()) {
            YamlNode.Entry e = s.entry("candidacy");
            problems.error(e.line(), e.column(), s.keyPath("candidacy"), "needs at least one candidacy function (allowed: "
                    + String.join(", ", Candidacy.NAMES) + "); remove the key for the default chain");
            return out;
        }
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = s.keyPath("candidacy") + "[" + i + "]";
            if (item instanceof YamlNode.Scalar alias && alias.broken()) continue; // already reported
            if (!(item instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                problems.error(item, path, "expected a candidacy function (one of " + String.join(", ", Candidacy.NAMES)
                        + "); found " + item.kind());
                continue;
            }
            String word = sc.text().trim().replaceAll("\\s+", " ");
            try {
                Candidacy.parse(word);
                out.add(word);
            } catch (IllegalArgumentException e) {
                String name = word.contains(" ") ? word.substring(0, word.indexOf(' ')) : word;
                String message = Candidacy.NAMES.contains(name) ? e.getMessage()
                        : "unknown candidacy function '" + name + "'" + Spelling.suggestion(name, Candidacy.NAMES)
                                + " (allowed: " + String.join(", ", Candidacy.NAMES) + ")";
                problems.error(item, path, message);
            }
        }
        return out;
    }

    /** {@code tags}: a list of names; absent or empty means none. */
    private static Set<String> readTags(Section s) {
        Problems problems = s.problems();
        YamlNode.Sequence list = s.list("tags");
        Set<String> out = new LinkedHashSet<>();
        if (list == null) return out;
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = s.keyPath("tags") + "[" + i + "]";
            if (item instanceof YamlNode.Scalar alias && alias.broken()) continue; // already reported
            if (!(item instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                problems.error(item, path, "expected a tag name; found " + item.kind());
                continue;
            }
            String tag = sc.text().trim();
            try {
                NameSyntax.parse(tag);
            } catch (IllegalArgumentException e) {
                problems.error(item, path, e.getMessage());
                continue;
            }
            if (!out.add(tag)) problems.warn(item, path, "tag '" + tag + "' is listed twice");
        }
        return out;
    }

    /** {@code retry-on}: a list of {@link RetryOn} words; absent means the default, empty means none. */
    private static Set<RetryOn> retryOn(Section s) {
        if (!s.has("retry-on")) return RetryOn.DEFAULT;
        Problems problems = s.problems();
        YamlNode.Sequence list = s.list("retry-on");
        if (list == null) return RetryOn.DEFAULT; // not a list: reported
        Set<RetryOn> out = EnumSet.noneOf(RetryOn.class);
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = s.keyPath("retry-on") + "[" + i + "]";
            if (item instanceof YamlNode.Scalar alias && alias.broken()) continue; // already reported
            if (!(item instanceof YamlNode.Scalar sc) || sc.isEmpty()) {
                problems.error(item, path, "expected one of " + String.join(", ", RetryOn.keys()) + "; found " + item.kind());
                continue;
            }
            String word = sc.text().trim();
            RetryOn r = RetryOn.byKey(word);
            if (r == null) {
                problems.error(item, path, "unknown retry condition '" + word + "'" + Spelling.suggestion(word, RetryOn.keys())
                        + " (allowed: " + String.join(", ", RetryOn.keys()) + ")");
            } else if (!out.add(r)) {
                problems.warn(item, path, r.key() + " is listed twice");
            }
        }
        return out;
    }

    private static String algorithm(String s) {
        if (Algorithms.exists(s)) return s;
        throw new IllegalArgumentException("unknown algorithm '" + s + "'" + Spelling.suggestion(s, Algorithms.names())
                + " (allowed: " + String.join(", ", Algorithms.names()) + ")");
    }

    private static double loadFactor(String s) {
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number (allowed: 1.0 or more)");
        }
        if (!(v >= 1.0) || Double.isInfinite(v)) throw new IllegalArgumentException(s + " is out of range (allowed: 1.0 or more)");
        return v;
    }

    private static HealthCheckConfig readHealth(Section s) {
        HealthCheckConfig d = HealthCheckConfig.NONE;
        HealthCheckConfig.Type type = s.choice("type", HealthCheckConfig.Type.NONE, HEALTH_TYPES);
        String method = s.value("method", d.method(), PoolSection::httpMethod);
        String path = s.value("path", d.path(), PoolSection::httpPath);
        String host = s.value("host", null, PoolSection::hostHeader);
        int[] status = s.value("expect-status", new int[] {d.statusMin(), d.statusMax()}, PoolSection::statusRange);
        Duration interval = s.duration("interval", d.interval(), true);
        Duration timeout = s.duration("timeout", d.timeout(), true);
        double jitter = s.value("jitter", d.jitter(), PoolSection::percent);
        int rise = s.integer("rise", d.rise(), 1, 100);
        int fall = s.integer("fall", d.fall(), 1, 100);

        List<String> ignored = switch (type) {
            case NONE -> s.present(HEALTH_KEYS.subList(1, HEALTH_KEYS.size()));
            case TCP -> s.present(HTTP_ONLY_HEALTH_KEYS);
            case HTTP -> List.of();
        };
        if (!ignored.isEmpty()) {
            YamlNode.Entry first = s.entry(ignored.get(0));
            s.problems().warn(first.line(), first.column(), s.keyPath(ignored.get(0)),
                    (type == HealthCheckConfig.Type.NONE ? "health checks are off (type: none)" : "type: tcp only connects")
                            + ", so " + quoteAll(ignored) + " " + (ignored.size() == 1 ? "is" : "are") + " ignored"
                            + (type == HealthCheckConfig.Type.NONE ? "; set type: http or tcp to turn them on" : ""));
        }
        return new HealthCheckConfig(type, method, path, host, status[0], status[1], interval, timeout, jitter, rise, fall);
    }

    private static String httpMethod(String s) {
        if (HTTP_METHOD.matcher(s).matches()) return s;
        throw new IllegalArgumentException("'" + s + "' is not an HTTP method (methods are upper case, e.g. GET, HEAD)");
    }

    private static String httpPath(String s) {
        if (!s.startsWith("/")) throw new IllegalArgumentException("'" + s + "' must start with '/'");
        if (s.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("'" + s + "' contains a space or control character (percent-encode it)");
        }
        return s;
    }

    private static String hostHeader(String s) {
        if (s.isBlank() || s.chars().anyMatch(c -> c <= ' ' || c == 0x7f || c == '/')) {
            throw new IllegalArgumentException("'" + s + "' is not a host name (write e.g. example.com or example.com:8080)");
        }
        return s;
    }

    private static int[] statusRange(String s) {
        var m = STATUS_RANGE.matcher(s.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + s + "' is not a status code or range (write e.g. 200 or 200-399)");
        }
        int min = Integer.parseInt(m.group(1));
        int max = m.group(2) == null ? min : Integer.parseInt(m.group(2));
        if (min < 100 || max > 599) throw new IllegalArgumentException("'" + s + "' is out of range (allowed: 100-599)");
        if (min > max) throw new IllegalArgumentException("'" + s + "' is an empty range (write the lower code first)");
        return new int[] {min, max};
    }

    /** Jitter as a fraction from "10%"; a bare 0 is allowed. */
    private static double percent(String s) {
        if (s.trim().equals("0")) return 0;
        var m = PERCENT.matcher(s.trim());
        if (!m.matches()) throw new IllegalArgumentException("'" + s + "' is not a percentage (write e.g. 10%)");
        double v = Double.parseDouble(m.group(1));
        if (v >= 100) throw new IllegalArgumentException(s + " is out of range (allowed: 0-99%)");
        return v / 100.0;
    }

    private static PassiveHealthConfig readPassive(Section s) {
        PassiveHealthConfig d = PassiveHealthConfig.DEFAULT;
        int failures = s.integer("consecutive-failures", d.consecutiveFailures(), 0, 1000);
        boolean count5xx = s.bool("count-5xx", d.count5xx());
        Duration base = s.duration("base-ejection", d.baseEjection(), true);
        Duration max = s.duration("max-ejection", d.maxEjection(), true);
        if (max.compareTo(base) < 0) {
            YamlNode.Entry e = s.entry("max-ejection") != null ? s.entry("max-ejection") : s.entry("base-ejection");
            s.problems().error(e.value(), s.keyPath(e.key()), "max-ejection " + DurationSyntax.format(max)
                    + " is shorter than base-ejection " + DurationSyntax.format(base) + " (it must be at least as long)");
        }
        int maxPercent = s.integer("max-ejection-percent", d.maxEjectionPercent(), 0, 100);
        return new PassiveHealthConfig(failures, count5xx, base, max, maxPercent);
    }

    private static List<ServerConfig> readServers(String pool, Section s, BackendProtocol protocol) {
        Problems problems = s.problems();
        YamlNode.Sequence list = s.list("servers");
        List<ServerConfig> out = new ArrayList<>();
        if (list == null) return out;
        Map<String, Integer> seen = HashMap.newHashMap(list.items().size());
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String path = s.keyPath("servers") + "[" + i + "]";
            if (!(item instanceof YamlNode.Mapping)) {
                problems.error(item, path, "expected a server (name: ..., address: host:port); found " + item.kind());
                continue;
            }
            Section srv = Section.open(item, path, item.line(), item.column(), problems, SERVER_KEYS);
            String name = srv.required("name", "a name unique in the pool", NameSyntax::parse);
            HostPort address = srv.required("address", "host:port", HostPortSyntax::parse);
            int weight = srv.integer("weight", DEFAULT_WEIGHT, 0, ServerConfig.MAX_WEIGHT);
            AdminState state = srv.value("state", AdminState.READY, AdminStateSyntax::parse);
            int maxConnections = srv.integer("max-connections", 0, 0, 1_000_000);
            Set<String> tags = readTags(srv);
            SendProxy sendProxy = srv.choice("send-proxy", SendProxy.POOL, SERVER_SEND_PROXY);
            if (sendProxy.or(null) != null && protocol == BackendProtocol.H2) {
                YamlNode.Entry se = srv.entry("send-proxy");
                problems.error(se.line(), se.column(), srv.keyPath("send-proxy"), "needs the pool's protocol: http/1.1 (an h2"
                        + " connection carries the streams of many clients; a PROXY header names one client)");
                sendProxy = SendProxy.POOL;
            }
            if (name != null) {
                Integer firstLine = seen.putIfAbsent(name, srv.entry("name").line());
                if (firstLine != null) {
                    YamlNode.Entry e = srv.entry("name");
                    problems.error(e.value(), srv.keyPath("name"), "duplicate server name '" + name + "' in pool '" + pool
                            + "' (first at line " + firstLine + "); names identify servers across reloads");
                    continue;
                }
            }
            if (name != null && address != null) {
                out.add(new ServerConfig(name, address.host(), address.port(), weight, state, maxConnections, tags, sendProxy));
            }
        }
        return out;
    }

    // ---- listeners -----------------------------------------------------------------------------

}
