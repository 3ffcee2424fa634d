package io.switchboard.config;

import io.switchboard.backend.AllDownPolicy;
import java.time.Duration;
import java.util.List;

/**
 * A pool of back ends: how to pick, how to check, how long to wait.
 *
 * @param retries extra attempts on other back ends after a failure that is safe to retry
 * @param hashLoadFactor the bounded-load factor c of the consistent-hash algorithms (>= 1)
 * @param maxIdlePerBackend idle keep-alive connections kept per back end per event loop
 * @param maxBodyBytes request body limit for this pool; 0 means unlimited
 */
public record PoolConfig(String name, String algorithm, double hashLoadFactor, int retries,
                         Duration connectTimeout, Duration responseTimeout, Duration backendIdleTimeout,
                         int maxIdlePerBackend, Duration slowStart, AllDownPolicy allDown,
                         HealthCheckConfig health, PassiveHealthConfig passive, long maxBodyBytes,
                         List<ServerConfig> servers) {
    public PoolConfig {
        servers = List.copyOf(servers);
    }
}
