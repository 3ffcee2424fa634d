package io.switchboard.config;

import java.util.Set;

/**
 * One back end as configured.
 *
 * @param maxConnections requests this back end may have in flight at once (HAProxy's {@code maxconn});
 *     when every eligible back end is full, requests wait in the pool's queue. 0 means no limit
 * @param tags what this back end is able to do ({@code cgi}): a service class with tags only uses
 *     back ends that carry all of them
 * @param sendProxy the server's own {@code send-proxy}, overriding its pool's ({@link SendProxy#POOL} when null)
 */
public record ServerConfig(String name, String host, int port, int weight, AdminState state, int maxConnections,
                           Set<String> tags, SendProxy sendProxy) {
    public static final int MAX_WEIGHT = 256;

    /** A server that sends what its pool sends. */
    public ServerConfig(String name, String host, int port, int weight, AdminState state, int maxConnections,
                        Set<String> tags) {
        this(name, host, port, weight, state, maxConnections, tags, SendProxy.POOL);
    }

    public ServerConfig(String name, String host, int port, int weight, AdminState state, int maxConnections) {
        this(name, host, port, weight, state, maxConnections, Set.of());
    }

    public ServerConfig(String name, String host, int port, int weight, AdminState state) {
        this(name, host, port, weight, state, 0);
    }

    public ServerConfig {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("server name must not be empty");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " out of range 1-65535");
        if (weight < 0 || weight > MAX_WEIGHT) throw new IllegalArgumentException("weight " + weight + " out of range 0-" + MAX_WEIGHT);
        if (state == null) state = AdminState.READY;
        if (maxConnections < 0) throw new IllegalArgumentException("max-connections must not be negative");
        tags = tags == null || tags.isEmpty() ? Set.of() : Set.copyOf(tags); // most servers have none: no copy then
        if (sendProxy == null) sendProxy = SendProxy.POOL;
    }

    public String address() {
        return Addresses.hostPort(host, port);
    }
}
