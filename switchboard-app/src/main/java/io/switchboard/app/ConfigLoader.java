package io.switchboard.app;

import io.switchboard.config.AdminConfig;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.ClusterConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.HostPortSyntax;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.DnsConfig;
import io.switchboard.config.DsrConfig;
import io.switchboard.config.LoadFeedbackConfig;
import io.switchboard.config.LoadReportsConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.RouteAction;
import io.switchboard.config.SwitchboardConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads one YAML file into a validated {@link SwitchboardConfig}: the top-level keys and the
 * {@code admin} section here, the other sections by their readers ({@link ListenerSection},
 * {@link PoolSection}, {@link DnsSection} and the like), which share this class's helpers.
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
        List<ListenerConfig> listeners = ListenerSection.read(root, poolEntries, pools, source);

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
