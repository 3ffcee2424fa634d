package io.switchboard.config;

import java.time.Duration;

/**
 * Active health probing of a pool's back ends. {@code type} NONE disables probing; TCP is a plain
 * connect; HTTP sends {@code method path} and expects a status in [statusMin, statusMax].
 */
public record HealthCheckConfig(Type type, String method, String path, String host, int statusMin, int statusMax,
                                Duration interval, Duration timeout, double jitter, int rise, int fall) {
    public enum Type {
        NONE, TCP, HTTP
    }

    public static final HealthCheckConfig NONE = new HealthCheckConfig(Type.NONE, "GET", "/", null, 200, 399,
            Duration.ofSeconds(2), Duration.ofSeconds(1), 0.1, 2, 3);

    public HealthCheckConfig {
        if (rise < 1 || fall < 1) throw new IllegalArgumentException("rise and fall must be at least 1");
        if (statusMin < 100 || statusMax > 599 || statusMin > statusMax) throw new IllegalArgumentException("expected status range must be within 100-599");
        if (jitter < 0 || jitter >= 1) throw new IllegalArgumentException("jitter must be in [0, 1)");
    }

    public boolean enabled() {
        return type != Type.NONE;
    }
}
