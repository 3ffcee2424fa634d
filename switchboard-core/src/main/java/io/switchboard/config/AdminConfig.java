package io.switchboard.config;

/**
 * The admin listener: API, dashboard and {@code /metrics}.
 *
 * @param enabled whether the admin listener runs at all
 * @param host the address it binds (loopback by default: reads are open to loopback clients)
 * @param port 0 lets the OS pick one
 * @param token the bearer token every change must carry; null when none is configured, in which
 *     case the API is read-only
 * @param tokenSource where the token came from, for logs ("admin.token" or "environment variable
 *     NAME"); never the token itself
 */
public record AdminConfig(boolean enabled, String host, int port, String token, String tokenSource) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9000;

    /** What a config without an {@code admin:} section gets. */
    public static final AdminConfig DEFAULTS = new AdminConfig(true, DEFAULT_HOST, DEFAULT_PORT, null, null);
    /** Embedded configs (tests, tools) that never asked for an admin listener. */
    public static final AdminConfig DISABLED = new AdminConfig(false, DEFAULT_HOST, DEFAULT_PORT, null, null);

    public AdminConfig {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("admin port " + port + " out of range 0-65535");
        if (token != null && token.isEmpty()) token = null;
    }

    public boolean hasToken() {
        return token != null;
    }

    public String address() {
        return Addresses.hostPort(host, port);
    }

    /** Never prints the token: configs end up in logs. */
    @Override
    public String toString() {
        return "admin " + (enabled ? "on " + address() : "off") + (token == null ? ", no token (read-only)" : ", token from " + tokenSource);
    }
}
