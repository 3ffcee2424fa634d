package io.switchboard.config;

import io.switchboard.backend.AdminState;

/** One back end as configured. */
public record ServerConfig(String name, String host, int port, int weight, AdminState state) {
    public static final int MAX_WEIGHT = 256;

    public ServerConfig {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("server name must not be empty");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " out of range 1-65535");
        if (weight < 0 || weight > MAX_WEIGHT) throw new IllegalArgumentException("weight " + weight + " out of range 0-" + MAX_WEIGHT);
        if (state == null) state = AdminState.READY;
    }

    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
