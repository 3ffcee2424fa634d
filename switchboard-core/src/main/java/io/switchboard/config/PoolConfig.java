package io.switchboard.config;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A pool of back ends: how to pick, how to check, how long to wait.
 *
 * @param retries extra attempts on other back ends after a failure that is safe to retry
 * @param hashLoadFactor the bounded-load factor c of the consistent-hash algorithms (>= 1)
 * @param maxIdlePerBackend idle keep-alive connections kept per back end per event loop
 * @param maxBodyBytes request body limit for this pool; 0 means unlimited
 * @param queueSize requests that may wait for a back end under its {@code max-connections}; more: 503
 * @param queueTimeout how long a request may wait in that queue; longer: 503
 * @param retryOn the failures after which a request may go to another back end ({@link RetryOn#DEFAULT}
 *                when null)
 * @param persistence how clients are kept on their back end; null for none
 */
public record PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                         Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                         int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                         HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                         List<ServerConfig> servers, int queueSize, Duration queueTimeout, Set<RetryOn> retryOn,
                         PersistenceConfig persistence) {
    public static final int DEFAULT_QUEUE_SIZE = 1024;
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(5);

    public PoolConfig {
        servers = List.copyOf(servers);
        if (queueSize < 0) throw new IllegalArgumentException("queue size must not be negative");
        if (queueTimeout == null) queueTimeout = DEFAULT_QUEUE_TIMEOUT;
        retryOn = retryOn == null ? RetryOn.DEFAULT
                : retryOn.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(retryOn));
    }

    /** A pool without persistence. */
    public PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                      Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                      int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                      HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                      List<ServerConfig> servers, int queueSize, Duration queueTimeout, Set<RetryOn> retryOn) {
        this(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, null);
    }

    /** The same pool with this persistence (null: none). */
    public PoolConfig withPersistence(PersistenceConfig p) {
        return new PoolConfig(name, algorithm, hashLoadFactor, retries, connectTimeout, responseTimeout, backendIdleTimeout,
                maxIdlePerBackend, slowStart, allDown, health, passive, maxBodyBytes, servers, queueSize, queueTimeout,
                retryOn, p);
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
