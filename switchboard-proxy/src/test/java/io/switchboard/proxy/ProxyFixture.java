package io.switchboard.proxy;

import io.netty.channel.EventLoopGroup;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.BackendProtocol;
import io.switchboard.config.BackendTlsConfig;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.Http2Config;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ProxyProtocolConfig;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.config.RetryOn;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.ServiceClassConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.config.TcpValidateConfig;
import io.switchboard.config.TlsConfig;
import io.switchboard.proxy.demo.DemoBackend;
import io.switchboard.proxy.probe.HealthChecker;
import io.switchboard.proxy.resolve.HostResolver;
import io.switchboard.registry.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real proxy on 127.0.0.1:0 in front of real {@link DemoBackend}s, for integration tests.
 * Settings are plain mutable fields set before {@link #start()}.
 */
public final class ProxyFixture implements AutoCloseable {
    public String algorithm = "round-robin";
    public int retries = 2;
    public Set<RetryOn> retryOn = RetryOn.DEFAULT;
    public Duration connectTimeout = Duration.ofSeconds(2);
    public Duration responseTimeout = Duration.ofSeconds(10);
    public Duration backendIdle = Duration.ofSeconds(60);
    public Duration headerTimeout = Duration.ofSeconds(10);
    public Duration clientIdle = Duration.ofSeconds(60);
    public int maxIdle = 64;
    public long maxBody = 0;
    public int maxHeaders = ListenerConfig.DEFAULT_MAX_HEADERS;
    public long minBodyRate = ListenerConfig.DEFAULT_MIN_BODY_RATE;
    public int queueSize = PoolConfig.DEFAULT_QUEUE_SIZE;
    public Duration queueTimeout = PoolConfig.DEFAULT_QUEUE_TIMEOUT;
    public List<ServiceClassConfig> classes = List.of();
    public Duration classAgeBound = PoolConfig.DEFAULT_CLASS_AGE_BOUND;
    public Duration bodyRateWindow = ListenerConfig.DEFAULT_BODY_RATE_WINDOW;
    public Duration tunnelIdle = ListenerConfig.DEFAULT_TUNNEL_IDLE_TIMEOUT;
    /** Connection limits, rate limit, allow/deny lists of the listener. */
    public GuardConfig guard = GuardConfig.NONE;
    public PassiveHealthConfig passive = new PassiveHealthConfig(3, true, Duration.ofSeconds(30), Duration.ofSeconds(60));
    /** Active health checks; with a type other than NONE, {@link #start} runs a {@link HealthChecker} on the pool. */
    public HealthCheckConfig health = HealthCheckConfig.NONE;
    public AllDownPolicy allDown = AllDownPolicy.FAIL;
    /** The pool's session persistence; null for none. */
    public PersistenceConfig persistence;
    /** The listener's port; 0 takes a free one. */
    public int listenPort = 0;
    /** How back-end host names are looked up (data plane and probes); null for the system's. */
    public HostResolver resolvers;
    public final List<AccessRecord> accessLog = new CopyOnWriteArrayList<>();
    /** The listener's routes. */
    public List<RouteConfig> routes = List.of();
    /** The listener's TLS settings; null: plain text. */
    public TlsConfig tls;
    /** The listener's HTTP/2 settings. */
    public Http2Config http2 = Http2Config.DEFAULT;
    /** The listener's max-header-size (bytes of a request head; for HTTP/2 the decoded header list). */
    public int maxHeaderSize = 16384;
    /** What the listener speaks: HTTP, or TCP (the layer-4 switch; back ends of any protocol). */
    public ListenerConfig.Mode mode = ListenerConfig.Mode.HTTP;
    /** A TCP listener's splice setting. */
    public ListenerConfig.Splice splice = ListenerConfig.Splice.AUTO;
    /** TLS to the back ends of pool "app"; null: plain text. */
    public BackendTlsConfig backendTls;
    /** What pool "app" speaks to its back ends. */
    public BackendProtocol protocol = BackendProtocol.HTTP_1_1;
    /** The listener's {@code proxy-protocol}; null: none. */
    public ProxyProtocolConfig proxyProtocol;
    /** The PROXY header pool "app" sends to its back ends; null: none. */
    public ProxyProtocolVersion sendProxy;
    /** Pools besides "app" (for routes), each with its own back ends; same settings as "app". */
    public final Map<String, List<DemoBackend>> otherPools = new LinkedHashMap<>();
    /** More pools, of servers the test runs itself (TLS back ends of a passthrough listener). */
    public final Map<String, List<ServerConfig>> otherServers = new LinkedHashMap<>();
    /** A {@code mode: tcp} listener's validator. */
    public TcpValidateConfig validate = TcpValidateConfig.NONE;

    public final Transport transport;
    public final EventLoopGroup group;
    public final List<DemoBackend> backends = new ArrayList<>();
    public Pool pool;
    public HealthChecker checker;
    public ProxyServer proxy;
    public PoolConfig poolConfig;
    public SwitchboardConfig config;
    private HttpClient client;

    /** On the transport {@code -Dswitchboard.transport} names (default auto), so the suite can run on each. */
    public ProxyFixture() {
        this(System.getProperty("switchboard.transport", "auto"));
    }

    public ProxyFixture(String transport) {
        this.transport = Transport.select(transport);
        this.group = this.transport.newGroup(2, r -> {
            Thread t = new Thread(r, "test-loop");
            t.setDaemon(true);
            return t;
        });
    }

    public ProxyFixture backends(String... names) throws InterruptedException {
        for (String n : names) backends.add(new DemoBackend(n, transport, group, 0, 0).start("127.0.0.1", 0));
        return this;
    }

    /** Another pool for routes to send to, with back ends of these names. */
    public ProxyFixture pool(String name, String... backendNames) throws InterruptedException {
        List<DemoBackend> bs = new ArrayList<>();
        for (String n : backendNames) bs.add(new DemoBackend(n, transport, group, 0, 0).start("127.0.0.1", 0));
        otherPools.put(name, bs);
        return this;
    }

    public ServerConfig server(DemoBackend b, int weight) {
        return new ServerConfig(b.name(), "127.0.0.1", b.port(), weight, null);
    }

    public ProxyFixture start() throws Exception {
        List<ServerConfig> servers = new ArrayList<>();
        for (DemoBackend b : backends) servers.add(server(b, 1));
        return start(servers);
    }

    public ProxyFixture start(List<ServerConfig> servers) throws Exception {
        poolConfig = new PoolConfig("app", algorithm, 1.25, retries, connectTimeout, responseTimeout, backendIdle, maxIdle,
                Duration.ZERO, allDown, health, passive, maxBody, servers, queueSize, queueTimeout, retryOn, classes, classAgeBound,
                persistence).withTls(backendTls).withProtocol(protocol).withSendProxy(sendProxy);
        ListenerConfig l = new ListenerConfig("web", "127.0.0.1", listenPort, "app", headerTimeout, clientIdle, 8192, maxHeaderSize,
                maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, tunnelIdle, tls, http2, proxyProtocol, splice, validate);
        Map<String, PoolConfig> poolConfigs = new LinkedHashMap<>(Map.of("app", poolConfig));
        pool = Pool.of(poolConfig);
        Map<String, Pool> pools = new LinkedHashMap<>(Map.of("app", pool));
        otherPools.forEach((name, bs) -> {
            List<ServerConfig> ss = bs.stream().map(b -> server(b, 1)).toList();
            PoolConfig pc = new PoolConfig(name, algorithm, 1.25, retries, connectTimeout, responseTimeout, backendIdle, maxIdle,
                    Duration.ZERO, allDown, health, passive, maxBody, ss, queueSize, queueTimeout, retryOn);
            poolConfigs.put(name, pc);
            pools.put(name, Pool.of(pc));
        });
        otherServers.forEach((name, ss) -> {
            PoolConfig pc = new PoolConfig(name, algorithm, 1.25, retries, connectTimeout, responseTimeout, backendIdle, maxIdle,
                    Duration.ZERO, allDown, health, passive, maxBody, ss, queueSize, queueTimeout, retryOn);
            poolConfigs.put(name, pc);
            pools.put(name, Pool.of(pc));
        });
        config = new SwitchboardConfig(null, List.of(l), poolConfigs, 2, "auto", Duration.ofSeconds(5), "off");
        if (resolvers == null) resolvers = HostResolver.system(transport);
        proxy = new ProxyServer(config, pools, accessLog::add, transport, group, resolvers);
        proxy.start();
        if (health.enabled()) {
            checker = new HealthChecker(pool, health, transport, group, resolvers, null, sendProxy);
            checker.start();
        }
        return this;
    }

    public int port() {
        return proxy.boundAddress("web").getPort();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public HttpClient client() {
        if (client == null) client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        return client;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client().send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sends raw bytes on a new connection and reads until the server closes or {@code timeout}. */
    public String raw(String request, Duration timeout) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port()), 5000);
            s.setSoTimeout((int) timeout.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            } catch (java.net.SocketTimeoutException e) {
                // the server kept the connection open: return what came
            }
            return sb.toString();
        }
    }

    @Override
    public void close() {
        if (checker != null) checker.close();
        if (proxy != null) proxy.close();
        if (resolvers != null) resolvers.close();
        for (DemoBackend b : backends) b.close();
        for (List<DemoBackend> bs : otherPools.values()) for (DemoBackend b : bs) b.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
