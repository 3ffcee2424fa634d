package io.switchboard.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A pool of back ends: how to pick, how to check, how long to wait.
 *
 * @param retries extra attempts on other back ends after a failure that is safe to retry
 * @param hashLoadFactor the bounded-load factor c of the consistent-hash algorithms (>= 1)
 * @param maxIdlePerBackend idle keep-alive connections kept per back end per event loop
 * @param maxBodyBytes request body limit for this pool; 0 means unlimited
 * @param queueSize requests of the default service class that may wait for a back end under its
 *                  {@code max-connections}; more: 503
 * @param queueTimeout how long a request of the default class may wait in that queue; longer: 503
 * @param retryOn the failures after which a request may go to another back end ({@link RetryOn#DEFAULT}
 *                when null)
 * @param classes the service classes, most urgent first, always including {@link ServiceClassConfig#DEFAULT}
 *                (appended last, with {@code queueSize} and {@code queueTimeout}, when not listed); a
 *                class's rank is its index here
 * @param classAgeBound a waiter of any class that has waited this long is served before more urgent
 *                classes, so that no class starves; zero: never (strict priority)
 * @param persistence how clients are kept on their back end; null for none
 * @param lardLow the LARD algorithms' T_low: a back end with fewer requests in flight counts as nearly
 *                idle (only read by lard and lard-r)
 * @param lardHigh the LARD algorithms' T_high: a target's back end with more in flight counts as
 *                 overloaded; {@code 1 <= lardLow < lardHigh}
 * @param lardShrinkAfter lard-r's K: a target's set of back ends that has not changed for this long
 *                        loses a member ({@link #DEFAULT_LARD_SHRINK_AFTER} when null)
 * @param tls TLS to the back ends; null: plain text
 * @param protocol what is spoken to the back ends ({@link BackendProtocol#HTTP_1_1} when null)
 * @param sendProxy the PROXY protocol header every new back-end connection starts with; null: none.
 *                  Such connections carry one client's address, so they are never pooled, and an
 *                  {@code h2} pool (whose connections carry many clients' streams) cannot send one. A
 *                  server's own {@link ServerConfig#sendProxy()} overrides it ({@link #sendProxy(ServerConfig)})
 * @param loadFeedback where the back ends' load reports come from (pushed or pulled agent-check); null: none
 * @param reportMaxAge least-load: an agent report older than this is not believed (the back end is
 *                     judged by its requests in flight); {@link #DEFAULT_REPORT_MAX_AGE} when null
 * @param candidacy chain: the candidacy functions in order, as the config writes them (e.g.
 *                  {@code "by-age 3s"}); empty: the default chain. Validated by the balance package.
 */
public record PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                         Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                         int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                         HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                         List<ServerConfig> servers, int queueSize, Duration queueTimeout, Set<RetryOn> retryOn,
                         List<ServiceClassConfig> classes, Duration classAgeBound, PersistenceConfig persistence,
                         int lardLow, int lardHigh, Duration lardShrinkAfter, BackendTlsConfig tls,
                         BackendProtocol protocol, ProxyProtocolVersion sendProxy, LoadFeedbackConfig loadFeedback,
                         Duration reportMaxAge, List<String> candidacy) {
    public static final int DEFAULT_QUEUE_SIZE = 1024;
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Well above a healthy request's wait (milliseconds), so priority decides in a short burst; well
     * below the default queue timeout (5 s), so a lower-class waiter reaches the front before it
     * would time out.
     */
    public static final Duration DEFAULT_CLASS_AGE_BOUND = Duration.ofSeconds(2);
    /** Pai et al.'s T_low, T_high and K (the balance package's Lard and LardR have the same defaults). */
    public static final int DEFAULT_LARD_LOW = 25;
    public static final int DEFAULT_LARD_HIGH = 65;
    public static final Duration DEFAULT_LARD_SHRINK_AFTER = Duration.ofSeconds(20);
    /** Lard doubles T_high for its hard bound, which must stay an int. */
    public static final int MAX_LARD_HIGH = 1_000_000;
    /** A few agent intervals (1 s by default): one lost report is not yet staleness. */
    public static final Duration DEFAULT_REPORT_MAX_AGE = Duration.ofSeconds(3);

    public PoolConfig {
        servers = List.copyOf(servers);
        if (queueSize < 0) throw new IllegalArgumentException("queue size must not be negative");
        if (queueTimeout == null) queueTimeout = DEFAULT_QUEUE_TIMEOUT;
        retryOn = retryOn == null ? RetryOn.DEFAULT
                : retryOn.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(retryOn));
        if (classAgeBound == null) classAgeBound = DEFAULT_CLASS_AGE_BOUND;
        if (classAgeBound.isNegative()) throw new IllegalArgumentException("class age bound must not be negative");
        List<ServiceClassConfig> ranked = new ArrayList<>(classes == null ? List.of() : classes);
        Set<String> names = new HashSet<>();
        for (ServiceClassConfig c : ranked) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("pool '" + name + "' lists service class '" + c.name() + "' twice");
            }
        }
        if (!names.contains(ServiceClassConfig.DEFAULT)) {
            ranked.add(new ServiceClassConfig(ServiceClassConfig.DEFAULT, queueSize, queueTimeout, null, Set.of()));
        }
        classes = List.copyOf(ranked);
        if (lardLow < 1 || lardHigh <= lardLow || lardHigh > MAX_LARD_HIGH) {
            throw new IllegalArgumentException("pool '" + name + "': lard thresholds must satisfy 1 <= low < high <= "
                    + MAX_LARD_HIGH + ", got low " + lardLow + ", high " + lardHigh);
        }
        if (protocol == null) protocol = BackendProtocol.HTTP_1_1;
        if (sendProxy != null && protocol == BackendProtocol.H2) {
            throw new IllegalArgumentException("pool '" + name + "': send-proxy needs protocol http/1.1: an h2 connection"
                    + " carries the streams of many clients, a PROXY header names one");
        }
        if (protocol == BackendProtocol.H2) {
            for (ServerConfig s : servers) {
                if (s.sendProxy().or(null) != null) {
                    throw new IllegalArgumentException("pool '" + name + "', server '" + s.name() + "': send-proxy needs"
                            + " protocol http/1.1: an h2 connection carries the streams of many clients, a PROXY header names one");
                }
            }
        }
        if (reportMaxAge == null) reportMaxAge = DEFAULT_REPORT_MAX_AGE;
        if (reportMaxAge.isNegative() || reportMaxAge.isZero()) {
            throw new IllegalArgumentException("pool '" + name + "': report-max-age must be positive, got " + reportMaxAge);
        }
        candidacy = candidacy == null ? List.of() : List.copyOf(candidacy);
        if (lardShrinkAfter == null) lardShrinkAfter = DEFAULT_LARD_SHRINK_AFTER;
        if (lardShrinkAfter.isNegative() || lardShrinkAfter.isZero()) {
            throw new IllegalArgumentException("pool '" + name + "': lard-shrink-after must be positive, got " + lardShrinkAfter);
        }
    }

    /** Pool settings that read no load reports (and the default least-load and chain settings). */
    public PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                      Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                      int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                      HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                      List<ServerConfig> servers, int queueSize, Duration queueTimeout, Set<RetryOn> retryOn,
                      List<ServiceClassConfig> classes, Duration classAgeBound, PersistenceConfig persistence,
                      int lardLow, int lardHigh, Duration lardShrinkAfter, BackendTlsConfig tls, BackendProtocol protocol,
                      ProxyProtocolVersion sendProxy) {
        this(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, persistence, lardLow, lardHigh, lardShrinkAfter, tls, protocol, sendProxy,
                null, null, null);
    }

    /** The same pool reading load reports this way (null: none). */
    public PoolConfig withLoadFeedback(LoadFeedbackConfig f) {
        return new PoolConfig(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, persistence, lardLow, lardHigh, lardShrinkAfter, tls, protocol, sendProxy, f,
                reportMaxAge, candidacy);
    }

    /** The same pool with least-load's report-max-age (null: the default) and chain's candidacy (null or empty: the default chain). */
    public PoolConfig withLoadBalancing(Duration maxAge, List<String> steps) {
        return new PoolConfig(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, persistence, lardLow, lardHigh, lardShrinkAfter, tls, protocol, sendProxy,
                loadFeedback, maxAge, steps);
    }

    /** Pool settings that send no PROXY protocol header. */
    public PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                      Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                      int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                      HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                      List<ServerConfig> servers, int queueSize, Duration queueTimeout, Set<RetryOn> retryOn,
                      List<ServiceClassConfig> classes, Duration classAgeBound, PersistenceConfig persistence,
                      int lardLow, int lardHigh, Duration lardShrinkAfter, BackendTlsConfig tls, BackendProtocol protocol) {
        this(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, persistence, lardLow, lardHigh, lardShrinkAfter, tls, protocol, null);
    }

    /** The PROXY protocol header new connections to {@code server} start with: its own setting, else the pool's; null: none. */
    public ProxyProtocolVersion sendProxy(ServerConfig server) {
        return server.sendProxy().or(sendProxy);
    }

    /** The same pool sending this PROXY protocol header on every new back-end connection (null: none). */
    public PoolConfig withSendProxy(ProxyProtocolVersion v) {
        return new PoolConfig(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, persistence, lardLow, lardHigh, lardShrinkAfter, tls, protocol, v, loadFeedback,
                reportMaxAge, candidacy);
    }

    /** Pool settings speaking HTTP/1.1 to the back ends. */
    public PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                      Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                      int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                      HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                      List<ServerConfig> servers, int queueSize, Duration queueTimeout, Set<RetryOn> retryOn,
                      List<ServiceClassConfig> classes, Duration classAgeBound, PersistenceConfig persistence,
                      int lardLow, int lardHigh, Duration lardShrinkAfter, BackendTlsConfig tls) {
        this(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, persistence, lardLow, lardHigh, lardShrinkAfter, tls, BackendProtocol.HTTP_1_1);
    }

    /** Pool settings with LARD thresholds and plain text to the back ends. */
    public PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                      Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                      int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                      HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                      List<ServerConfig> servers, int queueSize, Duration queueTimeout, Set<RetryOn> retryOn,
                      List<ServiceClassConfig> classes, Duration classAgeBound, PersistenceConfig persistence,
                      int lardLow, int lardHigh, Duration lardShrinkAfter) {
        this(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, persistence, lardLow, lardHigh, lardShrinkAfter, null);
    }

    /** Pool settings with service classes and persistence, and the paper's LARD thresholds. */
    public PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                      Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                      int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                      HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                      List<ServerConfig> servers, int queueSize, Duration queueTimeout, Set<RetryOn> retryOn,
                      List<ServiceClassConfig> classes, Duration classAgeBound, PersistenceConfig persistence) {
        this(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, persistence, DEFAULT_LARD_LOW, DEFAULT_LARD_HIGH, DEFAULT_LARD_SHRINK_AFTER);
    }

    /** Pool settings as before service classes: only the default class, the default age bound. */
    public PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                      Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                      int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                      HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                      List<ServerConfig> servers, int queueSize, Duration queueTimeout, Set<RetryOn> retryOn) {
        this(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, List.of(), DEFAULT_CLASS_AGE_BOUND, null);
    }

    /** Pool settings with service classes and no persistence. */
    public PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                      Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                      int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                      HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                      List<ServerConfig> servers, int queueSize, Duration queueTimeout, Set<RetryOn> retryOn,
                      List<ServiceClassConfig> classes, Duration classAgeBound) {
        this(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, null);
    }

    /**
     * The rank of the named service class (its index in {@link #classes()}); null names the default
     * class. -1 when the pool has no such class.
     */
    public int classRank(String className) {
        String n = className == null ? ServiceClassConfig.DEFAULT : className;
        for (int i = 0; i < classes.size(); i++) {
            if (classes.get(i).name().equals(n)) return i;
        }
        return -1;
    }

    /** The same pool with this persistence (null: none). */
    public PoolConfig withPersistence(PersistenceConfig p) {
        return new PoolConfig(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, p, lardLow, lardHigh, lardShrinkAfter, tls, protocol, sendProxy, loadFeedback,
                reportMaxAge, candidacy);
    }

    /** The same pool with these LARD thresholds and K (null: the default K). */
    public PoolConfig withLard(int low, int high, Duration shrinkAfter) {
        return new PoolConfig(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, persistence, low, high, shrinkAfter, tls, protocol, sendProxy, loadFeedback,
                reportMaxAge, candidacy);
    }

    /** The same pool with TLS to its back ends (null: plain text). */
    public PoolConfig withTls(BackendTlsConfig t) {
        return new PoolConfig(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, persistence, lardLow, lardHigh, lardShrinkAfter, t, protocol, sendProxy, loadFeedback,
                reportMaxAge, candidacy);
    }

    /** The same pool speaking this protocol to its back ends (null: HTTP/1.1). */
    public PoolConfig withProtocol(BackendProtocol p) {
        return new PoolConfig(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, classes, classAgeBound, persistence, lardLow, lardHigh, lardShrinkAfter, tls, p, sendProxy, loadFeedback,
                reportMaxAge, candidacy);
    }

    /** Whether the back ends are spoken to in HTTP/2. */
    public boolean h2() {
        return protocol == BackendProtocol.H2;
    }

    /** A pool with the default {@code retry-on} ({@link RetryOn#DEFAULT}). */
    public PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                      Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                      int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                      HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                      List<ServerConfig> servers, int queueSize, Duration queueTimeout) {
        this(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                RetryOn.DEFAULT);
    }

    /** A pool with the default queue (it only matters for servers with max-connections). */
    public PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                      Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                      int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                      HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                      List<ServerConfig> servers) {
        this(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers,
                DEFAULT_QUEUE_SIZE, DEFAULT_QUEUE_TIMEOUT);
    }
}
