package io.switchboard.admin;

import io.netty.channel.EventLoopGroup;
import io.switchboard.cluster.ClusterStatus;
import io.switchboard.dsr.DsrStatus;
import io.switchboard.config.AdminConfig;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.persist.PersistenceState;
import io.switchboard.proxy.AccessLog;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.ExchangeListener;
import io.switchboard.proxy.ListenerCounters;
import io.switchboard.proxy.ProxyServer;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.demo.DemoBackend;
import io.switchboard.registry.Pool;
import io.switchboard.route.Router;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The demo's shape on 127.0.0.1:0: back ends alpha, bravo and charlie behind a real proxy (pool
 * "demo"), and a real admin listener in front of it with token {@link #TOKEN}. The {@link Dispatcher}
 * is the test's own, so that reloads can be scripted.
 */
final class AdminFixture implements AutoCloseable {
    static final String TOKEN = "test-token-7f3a";

    final Transport transport = Transport.select("auto");
    final EventLoopGroup group = transport.newGroup(2, r -> {
        Thread t = new Thread(r, "test-loop");
        t.setDaemon(true);
        return t;
    });
    final List<DemoBackend> backends = new ArrayList<>();
    final List<AccessRecord> accessLog = new CopyOnWriteArrayList<>();
    final Map<String, Pool> pools = new LinkedHashMap<>();
    volatile Supplier<Dispatcher.ReloadOutcome> reload = () -> new Dispatcher.ReloadOutcome(true, "demo.yaml",
            "1 listener, 1 pool, 3 servers", List.of(), List.of());
    volatile String configFile = "demo.yaml";
    /** What the dispatcher reports as the routes of listener "demo". */
    volatile List<Router.RuleStats> routes = List.of(new Router.RuleStats("no-admin", "path starts with /admin", "deny 403", 3),
            new Router.RuleStats("default", "no route matched", "pool demo", 7));
    /** What the dispatcher reports as its cluster; null: not in a cluster. */
    volatile ClusterStatus cluster;
    /** What the dispatcher reports as its direct-server-return table; null: no dsr section. */
    volatile DsrStatus dsr;
    /** The proxy listener's guards and header timeout; set before {@link #start}. */
    GuardConfig guard = GuardConfig.NONE;
    Duration headerTimeout = Duration.ofSeconds(10);
    ProxyServer proxy;
    AdminServer admin;
    Pool pool;
    private HttpClient client;

    AdminFixture start() throws Exception {
        return start(AdminFixture.TOKEN, "alpha", "bravo", "charlie");
    }

    AdminFixture start(String token, String... names) throws Exception {
        List<ServerConfig> servers = new ArrayList<>();
        for (String n : names) {
            DemoBackend b = new DemoBackend(n, transport, group, 0, 0).start("127.0.0.1", 0);
            backends.add(b);
            servers.add(new ServerConfig(n, "127.0.0.1", b.port(), 1, null));
        }
        PassiveHealthConfig passive = new PassiveHealthConfig(5, true, Duration.ofSeconds(10), Duration.ofSeconds(60));
        PoolConfig pc = new PoolConfig("demo", "round-robin", 1.25, 2, Duration.ofSeconds(2), Duration.ofSeconds(10),
                Duration.ofSeconds(60), 64, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE, passive, 0, servers)
                // keyed on a header the tests send only when they mean to: round robin stays as it was
                .withPersistence(new PersistenceConfig.Stick(PersistenceConfig.StickOn.parse("header:X-User"),
                        Duration.ofMinutes(5), 1000));
        ListenerConfig l = new ListenerConfig("demo", "127.0.0.1", 0, "demo", headerTimeout, Duration.ofSeconds(60),
                8192, 16384, ListenerConfig.DEFAULT_MAX_HEADERS, guard, ListenerConfig.DEFAULT_MIN_BODY_RATE,
                ListenerConfig.DEFAULT_BODY_RATE_WINDOW);
        AdminConfig ac = new AdminConfig(true, "127.0.0.1", 0, token, token == null ? null : "test");
        SwitchboardConfig config = new SwitchboardConfig(null, List.of(l), Map.of("demo", pc), 2, "auto",
                Duration.ofSeconds(5), "off", "combined", ac, false);
        pool = Pool.of(pc);
        pools.put("demo", pool);
        proxy = new ProxyServer(config, Map.of("demo", pool), accessLog::add, transport, group);
        proxy.start();
        admin = new AdminServer(ac, new TestDispatcher(), transport, group);
        admin.start();
        return this;
    }

    DemoBackend backend(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    /** Starts one more back end (not in the pool yet). */
    DemoBackend newBackend(String name) throws InterruptedException {
        DemoBackend b = new DemoBackend(name, transport, group, 0, 0).start("127.0.0.1", 0);
        backends.add(b);
        return b;
    }

    int proxyPort() {
        return proxy.boundAddress("demo").getPort();
    }

    int adminPort() {
        return admin.boundAddress().getPort();
    }

    URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + adminPort() + path);
    }

    HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        }
        return client;
    }

    /** One admin request; {@code token} null sends no Authorization header. */
    HttpResponse<String> call(String method, String path, String jsonBody, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(adminUri(path)).timeout(Duration.ofSeconds(40));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (jsonBody != null) b.header("Content-Type", "application/json");
        b.method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        return client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return call("GET", path, null, null);
    }

    HttpResponse<String> proxyGet(String path) throws Exception {
        return client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort() + path))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        if (admin != null) admin.close();
        if (proxy != null) proxy.close();
        for (DemoBackend b : backends) b.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    final class TestDispatcher implements Dispatcher {
        @Override
        public List<ListenerInfo> listeners() {
            InetSocketAddress a = proxy.boundAddress("demo");
            return List.of(new ListenerInfo("demo", a.getAddress().getHostAddress(), a.getPort(), "demo"));
        }

        @Override
        public List<Router.RuleStats> routes(String listener) {
            return listener.equals("demo") ? routes : List.of();
        }

        @Override
        public Map<String, Pool> pools() {
            synchronized (pools) {
                return new LinkedHashMap<>(pools);
            }
        }

        @Override
        public String configFile() {
            return configFile;
        }

        @Override
        public ReloadOutcome reloadConfig() {
            return reload.get();
        }

        @Override
        public void addExchangeListener(ExchangeListener l) {
            proxy.state().addExchangeListener(l);
        }

        @Override
        public AccessLog accessLog() {
            return AccessLog.OFF;
        }

        @Override
        public String version() {
            return "test";
        }

        @Override
        public int queueLength(Pool pool) {
            return proxy.state().queueLength(pool);
        }

        @Override
        public List<ListenerCounters> listenerCounters() {
            return proxy.state().listenerCounters().all();
        }

        @Override
        public PersistenceState persistence() {
            return proxy.state().persistence();
        }

        @Override
        public ClusterStatus clusterStatus() {
            return cluster;
        }

        @Override
        public DsrStatus dsrStatus() {
            return dsr;
        }
    }
}
