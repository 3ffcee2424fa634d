package io.switchboard.app;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.DurationSyntax;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.demo.DemoBackend;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A dispatcher in front of a few {@link DemoBackend}s in one process, to see balancing and health
 * checking work without writing a config: back ends named alpha, bravo, charlie... on loopback
 * ports the OS picks, and the embedded {@code demo.yaml} with those ports filled in. Some of them can
 * be made to fail or to answer slowly ({@link Options#failing}, {@link Options#slow}), to watch the
 * dispatcher route around one bad server among good ones. Everything shares
 * one event-loop group, as a real deployment's dispatcher shares its loops between front-end and
 * back-end channels.
 *
 * <p>Threading: start and close from one thread.
 */
public final class Demo implements AutoCloseable {
    static final String TEMPLATE = "demo.yaml";
    static final List<String> NAMES = List.of("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
            "india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
            "uniform", "victor", "whiskey", "xray", "yankee", "zulu");

    /**
     * @param port the listener's port on 127.0.0.1; 0 picks a free one (tests)
     * @param accessLog "stdout", "off" or a file
     * @param adminPort the admin listener's port on 127.0.0.1 (API, dashboard, metrics); 0 picks a free one
     * @param accessLogFormat "combined", "json" or "switchboard"
     * @param failing back ends that fail: with {@code failureRate} 0 every request (500) and their
     *     health checks (503), so that the dispatcher takes them down; otherwise that fraction of
     *     requests. Either way, the other back ends do not fail.
     * @param slow back ends that answer after their own delay instead of {@code latencyMillis}
     */
    public record Options(int port, int backends, long latencyMillis, double failureRate, String algorithm, String accessLog,
                          int adminPort, String accessLogFormat, List<String> failing, Map<String, Duration> slow) {
        /** Every back end alike: none failing or slow on its own. */
        public Options(int port, int backends, long latencyMillis, double failureRate, String algorithm, String accessLog,
                       int adminPort, String accessLogFormat) {
            this(port, backends, latencyMillis, failureRate, algorithm, accessLog, adminPort, accessLogFormat, List.of(), Map.of());
        }

        public Options {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("--port " + port + " is out of range (allowed: 0-65535)");
            if (adminPort < 0 || adminPort > 65535) {
                throw new IllegalArgumentException("--admin-port " + adminPort + " is out of range (allowed: 0-65535)");
            }
            if (!List.of("combined", "json", "switchboard").contains(accessLogFormat)) {
                throw new IllegalArgumentException("--access-log-format: unknown format '" + accessLogFormat + "'"
                        + Spelling.suggestion(accessLogFormat, List.of("combined", "json", "switchboard"))
                        + " (allowed: combined, json, switchboard)");
            }
            if (backends < 1 || backends > NAMES.size()) {
                throw new IllegalArgumentException("--backends " + backends + " is out of range (allowed: 1-" + NAMES.size() + ")");
            }
            if (latencyMillis < 0) throw new IllegalArgumentException("--latency " + latencyMillis + "ms is negative");
            if (!(failureRate >= 0 && failureRate <= 1)) {
                throw new IllegalArgumentException("--failure-rate " + failureRate + " is out of range (allowed: 0.0-1.0)");
            }
            if (!Algorithms.exists(algorithm)) {
                throw new IllegalArgumentException("--algorithm: unknown algorithm '" + algorithm + "'"
                        + Spelling.suggestion(algorithm, Algorithms.names()) + " (allowed: " + String.join(", ", Algorithms.names()) + ")");
            }
            failing = List.copyOf(new LinkedHashSet<>(failing));
            slow = Collections.unmodifiableMap(new LinkedHashMap<>(slow));
            List<String> names = NAMES.subList(0, backends);
            for (String name : failing) requireBackEnd("--failing", name, names);
            for (Map.Entry<String, Duration> e : slow.entrySet()) {
                requireBackEnd("--slow", e.getKey(), names);
                if (e.getValue().isNegative()) throw new IllegalArgumentException("--slow " + e.getKey() + ": the delay is negative");
            }
        }

        private static void requireBackEnd(String option, String name, List<String> names) {
            if (!names.contains(name)) {
                throw new IllegalArgumentException(option + ": no back end named '" + name + "'" + Spelling.suggestion(name, names)
                        + " (this demo's back ends: " + String.join(", ", names) + ")");
            }
        }

        /** With --failing and no --failure-rate, the named back ends fail outright (requests and health checks). */
        boolean failsOutright(String name) {
            return failing.contains(name) && failureRate == 0;
        }

        double failureRateOf(String name) {
            if (failing.isEmpty()) return failureRate;
            if (!failing.contains(name)) return 0;
            return failureRate == 0 ? 1 : failureRate;
        }

        long latencyMillisOf(String name) {
            Duration d = slow.get(name);
            return d == null ? latencyMillis : d.toMillis();
        }
    }

    private final EventLoopGroup group;
    private final List<DemoBackend> backends;
    private final Switchboard switchboard;
    private final String adminToken;
    private final Options options;

    private Demo(EventLoopGroup group, List<DemoBackend> backends, Switchboard switchboard, String adminToken, Options options) {
        this.group = group;
        this.backends = backends;
        this.switchboard = switchboard;
        this.adminToken = adminToken;
        this.options = options;
    }

    public static Demo start(Options options) throws IOException, InterruptedException, ConfigException {
        Transport transport = Transport.select("auto");
        EventLoopGroup group = transport.newGroup(0, new DefaultThreadFactory("switchboard-loop", true));
        List<DemoBackend> backends = new ArrayList<>();
        try {
            for (int i = 0; i < options.backends(); i++) {
                String name = NAMES.get(i);
                DemoBackend b = new DemoBackend(name, transport, group, options.latencyMillisOf(name), options.failureRateOf(name));
                b.setHealthy(!options.failsOutright(name));
                backends.add(b);
                b.start("127.0.0.1", 0);
            }
            String token = newToken();
            String text = render(options, backends, token);
            LoadedConfig loaded = ConfigLoader.parse(text, TEMPLATE, null);
            Switchboard sb = Switchboard.start(loaded.config(), transport, group);
            return new Demo(group, backends, sb, token, options);
        } catch (IOException | InterruptedException | ConfigException | RuntimeException e) {
            for (DemoBackend b : backends) b.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** A fresh admin token for each demo run, printed with the instructions (24 random bytes, URL-safe base64). */
    static String newToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The embedded template with the listener port, algorithm, access log and back-end addresses filled in. */
    static String render(Options options, List<DemoBackend> backends, String adminToken) throws IOException {
        String template;
        try (InputStream in = Demo.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) throw new IOException("resource " + TEMPLATE + " is missing from the jar");
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder servers = new StringBuilder();
        for (DemoBackend b : backends) {
            servers.append("      - name: ").append(b.name()).append('\n')
                   .append("        address: 127.0.0.1:").append(b.port()).append('\n');
        }
        return template.replace("{{port}}", Integer.toString(options.port()))
                .replace("{{algorithm}}", options.algorithm())
                .replace("{{access-log}}", options.accessLog())
                .replace("{{access-log-format}}", options.accessLogFormat())
                .replace("{{admin-port}}", Integer.toString(options.adminPort()))
                .replace("{{admin-token}}", adminToken)
                .replace("{{servers}}\n", servers.toString());
    }

    public InetSocketAddress address() {
        return switchboard.boundAddress("demo");
    }

    public List<DemoBackend> backends() {
        return backends;
    }

    public Switchboard switchboard() {
        return switchboard;
    }

    /** The admin API's token for this run. */
    public String adminToken() {
        return adminToken;
    }

    /** What to type next, printed after start. */
    public String instructions() {
        String url = "http://127.0.0.1:" + address().getPort() + "/";
        List<String> names = backends.stream().map(DemoBackend::name).toList();
        return String.join("\n",
                "",
                "Switchboard demo: " + url + " balances " + names.size() + " back ends (" + String.join(", ", names) + ") with "
                        + switchboard.config().pools().get("demo").algorithm() + ".",
                "Each back end answers with its name; /health is probed every 2s.",
                "",
                "Try:",
                "  curl -s " + url,
                "  for i in $(seq 30); do curl -s " + url + "; done | sort | uniq -c",
                "  curl -si " + url + "delay?ms=300      # a slow request",
                "",
                "Also: switchboard demo --algorithm least-conn --latency 20ms --failure-rate 0.1",
                "      switchboard demo --failing bravo --slow charlie=300ms",
                "",
                watchInstructions() + adminInstructions(),
                "Access log lines (" + switchboard.config().accessLogFormat() + " format) follow. Ctrl-C stops.",
                "");
    }

    /** One line per back end that --failing or --slow set apart, saying what it does and where to see it. */
    private String watchInstructions() {
        var admin = switchboard.admin();
        String where = admin == null ? "in the dashboard (not running, see below)" : "in the dashboard at " + admin.url();
        Duration healthTimeout = switchboard.config().pools().get("demo").health().timeout();
        StringBuilder lines = new StringBuilder();
        for (String name : options.failing()) {
            if (options.failsOutright(name)) {
                lines.append(name).append(" fails (500 to every request, 503 to health checks): watch its state go down ").append(where);
            } else {
                lines.append(name).append(" fails ").append(percent(options.failureRate())).append(" of requests with 500")
                        .append(": watch its 5xx count ").append(where);
            }
            lines.append('\n');
        }
        for (Map.Entry<String, Duration> e : options.slow().entrySet()) {
            lines.append(e.getKey()).append(" answers after ").append(DurationSyntax.format(e.getValue()));
            if (e.getValue().compareTo(healthTimeout) >= 0) {
                // the demo back end delays its health answers too, so a long delay fails the probes
                lines.append(", beyond the health checks' ").append(DurationSyntax.format(healthTimeout))
                        .append(" timeout: watch its state go down ").append(where);
            } else {
                lines.append(": watch its p99 ").append(where);
            }
            lines.append('\n');
        }
        return lines.isEmpty() ? "" : lines.append('\n').toString();
    }

    private static String percent(double rate) {
        BigDecimal p = BigDecimal.valueOf(rate).movePointRight(2).stripTrailingZeros(); // 0.07 -> 7%, not 7.000000000000001%
        return (p.scale() < 0 ? p.setScale(0) : p).toPlainString() + "%";
    }

    private String adminInstructions() {
        var admin = switchboard.admin();
        if (admin == null) {
            return "The admin API and dashboard are not running (see the log above; --admin-port PORT picks another port).\n";
        }
        String url = admin.url();
        String api = url + "api/v1/pools/demo/backends/";
        return String.join("\n",
                "Dashboard: " + url + "   admin token: " + adminToken,
                "  (paste the token into the dashboard's token field to use its Drain / Enable / weight buttons)",
                "  curl -s " + url + "api/v1/pools/demo",
                "  curl -s -X PATCH -H 'Authorization: Bearer " + adminToken + "' -H 'Content-Type: application/json' \\",
                "       -d '{\"state\":\"drain\"}' " + api + "bravo",
                "  curl -s " + url + "metrics | grep '^switchboard_requests_total'",
                "");
    }

    @Override
    public void close() {
        switchboard.close();
        for (DemoBackend b : backends) b.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Graceful: finish requests in flight first (shutdown-grace of the demo config). */
    public void shutdownGracefully() {
        switchboard.shutdownGracefully();
        close();
    }
}
