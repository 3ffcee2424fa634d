package io.switchboard.app;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.switchboard.balance.Algorithms;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.demo.DemoBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A dispatcher in front of a few {@link DemoBackend}s in one process, to see balancing and health
 * checking work without writing a config: back ends named alpha, bravo, charlie... on loopback
 * ports the OS picks, and the embedded {@code demo.yaml} with those ports filled in. Everything shares
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
     */
    public record Options(int port, int backends, long latencyMillis, double failureRate, String algorithm, String accessLog,
                          int adminPort, String accessLogFormat) {
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
        }
    }

    private final EventLoopGroup group;
    private final List<DemoBackend> backends;
    private final Switchboard switchboard;
    private final String adminToken;

    private Demo(EventLoopGroup group, List<DemoBackend> backends, Switchboard switchboard, String adminToken) {
        this.group = group;
        this.backends = backends;
        this.switchboard = switchboard;
        this.adminToken = adminToken;
    }

    public static Demo start(Options options) throws IOException, InterruptedException, ConfigException {
        Transport transport = Transport.select("auto");
        EventLoopGroup group = transport.newGroup(0, new DefaultThreadFactory("switchboard-loop", true));
        List<DemoBackend> backends = new ArrayList<>();
        try {
            for (int i = 0; i < options.backends(); i++) {
                DemoBackend b = new DemoBackend(NAMES.get(i), transport, group, options.latencyMillis(), options.failureRate());
                backends.add(b);
                b.start("127.0.0.1", 0);
            }
            String token = newToken();
            String text = render(options, backends, token);
            LoadedConfig loaded = ConfigLoader.parse(text, TEMPLATE, null);
            Switchboard sb = Switchboard.start(loaded.config(), transport, group);
            return new Demo(group, backends, sb, token);
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
                "",
                adminInstructions(),
                "Access log lines (" + switchboard.config().accessLogFormat() + " format) follow. Ctrl-C stops.",
                "");
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
