package io.switchboard.config;

import java.time.Duration;
import java.util.List;

/**
 * One front-end address.
 *
 * @param headerTimeout time allowed to receive a complete request head (slowloris guard): 408
 * @param clientIdleTimeout keep-alive idle time between requests before the connection is closed; with {@link
 *     Mode#TCP}, the session's idle timeout (no byte either way)
 * @param maxHeaders header fields allowed in one request head; more: 431
 * @param guard connection limits, rate limit and address lists ({@link GuardConfig#NONE}: none)
 * @param minBodyRate bytes per second a client must send of a request body, averaged over
 *     {@code bodyRateWindow}, while the proxy is ready to take it; slower: 408 (slowloris on bodies).
 *     0 disables the check
 * @param mode what the listener speaks to its clients
 * @param routes content switching, in order, first match wins; empty: every request to {@code defaultPool}
 * @param tunnelIdleTimeout a WebSocket tunnel with no byte either way for this long is closed (HAProxy's
 *     {@code timeout tunnel}); null: {@link #DEFAULT_TUNNEL_IDLE_TIMEOUT}
 * @param tls TLS termination; null: plain text
 * @param http2 HTTP/2 ({@code h2} by ALPN with TLS, {@code h2c} with prior knowledge without); null: {@link
 *     Http2Config#DEFAULT}
 * @param proxyProtocol which peers open their connections with a PROXY protocol header; null: none may
 * @param splice {@link Mode#TCP} only: whether a session relays with splice(2) on the epoll transport;
 *     null: {@link Splice#AUTO}
 * @param validate with {@link Mode#TCP}: the protocol validator of its sessions; null: {@link TcpValidateConfig#NONE}
 */
public record ListenerConfig(String name, String host, int port, String defaultPool,
                             Duration headerTimeout, Duration clientIdleTimeout,
                             int maxInitialLineLength, int maxHeaderSize, int maxHeaders, GuardConfig guard,
                             long minBodyRate, Duration bodyRateWindow, Mode mode, List<RouteConfig> routes,
                             Duration tunnelIdleTimeout, TlsConfig tls, Http2Config http2,
                             ProxyProtocolConfig proxyProtocol, Splice splice, TcpValidateConfig validate) {
    /**
     * What a listener speaks: HTTP ({@code HTTP}: HTTP/1.x and HTTP/2, dispatched request by request),
     * or bytes ({@code TCP}: the layer-4 switch; one back end per connection, picked at accept, and the
     * bytes relayed both ways unread). The data plane installs the pipeline of the listener's mode. A
     * TCP listener uses {@code defaultPool}, {@code clientIdleTimeout} (no byte either way for that
     * long ends the session) and the connection part of {@code guard}; the HTTP settings are ignored.
     */
    public enum Mode { HTTP, TCP }

    /**
     * How a {@link Mode#TCP} session moves its bytes once its back end is connected: {@code ON} with
     * splice(2) from socket to socket through a pipe, never in user space (only on the epoll transport;
     * elsewhere through buffers); {@code OFF} through buffers; {@code AUTO} what measured faster here.
     */
    public enum Splice { AUTO, ON, OFF }

    public static final int DEFAULT_MAX_HEADERS = 100;
    public static final long DEFAULT_MIN_BODY_RATE = 256;
    public static final Duration DEFAULT_BODY_RATE_WINDOW = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TUNNEL_IDLE_TIMEOUT = Duration.ofHours(1);

    public ListenerConfig {
        if (maxHeaders < 1) throw new IllegalArgumentException("maxHeaders must be at least 1");
        if (guard == null) guard = GuardConfig.NONE;
        if (minBodyRate < 0) throw new IllegalArgumentException("minBodyRate must not be negative");
        if (bodyRateWindow == null) bodyRateWindow = DEFAULT_BODY_RATE_WINDOW;
        if (bodyRateWindow.isNegative() || bodyRateWindow.isZero()) throw new IllegalArgumentException("bodyRateWindow must be positive");
        if (mode == null) mode = Mode.HTTP;
        routes = routes == null ? List.of() : List.copyOf(routes);
        if (tunnelIdleTimeout == null) tunnelIdleTimeout = DEFAULT_TUNNEL_IDLE_TIMEOUT;
        if (tunnelIdleTimeout.isNegative() || tunnelIdleTimeout.isZero()) throw new IllegalArgumentException("tunnelIdleTimeout must be positive");
        if (http2 == null) http2 = Http2Config.DEFAULT;
        if (splice == null) splice = Splice.AUTO;
        if (validate == null) validate = TcpValidateConfig.NONE;
    }

    /** This listener with another protocol validator (TCP listeners). */
    public ListenerConfig withValidate(TcpValidateConfig next) {
        return new ListenerConfig(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength,
                maxHeaderSize, maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, tunnelIdleTimeout, tls, http2, proxyProtocol,
                splice, next);
    }

    /** This listener with another splice setting. */
    public ListenerConfig withSplice(Splice next) {
        return new ListenerConfig(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength,
                maxHeaderSize, maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, tunnelIdleTimeout, tls, http2, proxyProtocol, next, validate);
    }

    /** A listener on which no peer may send a PROXY protocol header. */
    public ListenerConfig(String name, String host, int port, String defaultPool, Duration headerTimeout,
                          Duration clientIdleTimeout, int maxInitialLineLength, int maxHeaderSize, int maxHeaders,
                          GuardConfig guard, long minBodyRate, Duration bodyRateWindow, Mode mode, List<RouteConfig> routes,
                          Duration tunnelIdleTimeout, TlsConfig tls, Http2Config http2) {
        this(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength, maxHeaderSize,
                maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, tunnelIdleTimeout, tls, http2, null, null, null);
    }

    /** This listener with another {@code proxy-protocol} (null: none). */
    public ListenerConfig withProxyProtocol(ProxyProtocolConfig next) {
        return new ListenerConfig(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength,
                maxHeaderSize, maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, tunnelIdleTimeout, tls, http2, next, splice, validate);
    }

    /** A listener with HTTP/2 at its defaults. */
    public ListenerConfig(String name, String host, int port, String defaultPool, Duration headerTimeout,
                          Duration clientIdleTimeout, int maxInitialLineLength, int maxHeaderSize, int maxHeaders,
                          GuardConfig guard, long minBodyRate, Duration bodyRateWindow, Mode mode, List<RouteConfig> routes,
                          Duration tunnelIdleTimeout, TlsConfig tls) {
        this(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength, maxHeaderSize,
                maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, tunnelIdleTimeout, tls, Http2Config.DEFAULT);
    }

    /** This listener with other HTTP/2 settings. */
    public ListenerConfig withHttp2(Http2Config next) {
        return new ListenerConfig(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength,
                maxHeaderSize, maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, tunnelIdleTimeout, tls, next, proxyProtocol, splice, validate);
    }

    /** A plain-text listener with the default tunnel idle timeout. */
    public ListenerConfig(String name, String host, int port, String defaultPool, Duration headerTimeout,
                          Duration clientIdleTimeout, int maxInitialLineLength, int maxHeaderSize, int maxHeaders,
                          GuardConfig guard, long minBodyRate, Duration bodyRateWindow, Mode mode, List<RouteConfig> routes) {
        this(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength, maxHeaderSize,
                maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, DEFAULT_TUNNEL_IDLE_TIMEOUT, null);
    }

    /** This listener with another tunnel idle timeout. */
    public ListenerConfig withTunnelIdleTimeout(Duration next) {
        return new ListenerConfig(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength,
                maxHeaderSize, maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, next, tls, http2, proxyProtocol, splice, validate);
    }

    /** A listener without routes. */
    public ListenerConfig(String name, String host, int port, String defaultPool, Duration headerTimeout,
                          Duration clientIdleTimeout, int maxInitialLineLength, int maxHeaderSize, int maxHeaders,
                          GuardConfig guard, long minBodyRate, Duration bodyRateWindow, Mode mode) {
        this(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength, maxHeaderSize,
                maxHeaders, guard, minBodyRate, bodyRateWindow, mode, List.of());
    }

    /** This listener with other routes (which a reload applies without rebinding). */
    public ListenerConfig withRoutes(List<RouteConfig> next) {
        return new ListenerConfig(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength,
                maxHeaderSize, maxHeaders, guard, minBodyRate, bodyRateWindow, mode, next, tunnelIdleTimeout, tls, http2, proxyProtocol, splice, validate);
    }

    /** This listener with other TLS settings (which a reload applies to new handshakes without rebinding). */
    public ListenerConfig withTls(TlsConfig next) {
        return new ListenerConfig(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength,
                maxHeaderSize, maxHeaders, guard, minBodyRate, bodyRateWindow, mode, routes, tunnelIdleTimeout, next, http2, proxyProtocol, splice, validate);
    }

    /** An HTTP listener. */
    public ListenerConfig(String name, String host, int port, String defaultPool, Duration headerTimeout,
                          Duration clientIdleTimeout, int maxInitialLineLength, int maxHeaderSize, int maxHeaders,
                          GuardConfig guard, long minBodyRate, Duration bodyRateWindow) {
        this(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength, maxHeaderSize,
                maxHeaders, guard, minBodyRate, bodyRateWindow, Mode.HTTP);
    }

    /** A listener with the default body-rate check. */
    public ListenerConfig(String name, String host, int port, String defaultPool, Duration headerTimeout,
                          Duration clientIdleTimeout, int maxInitialLineLength, int maxHeaderSize, int maxHeaders,
                          GuardConfig guard) {
        this(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength, maxHeaderSize,
                maxHeaders, guard, DEFAULT_MIN_BODY_RATE, DEFAULT_BODY_RATE_WINDOW);
    }

    /** A listener with the default header count limit and no guard settings. */
    public ListenerConfig(String name, String host, int port, String defaultPool, Duration headerTimeout,
                          Duration clientIdleTimeout, int maxInitialLineLength, int maxHeaderSize) {
        this(name, host, port, defaultPool, headerTimeout, clientIdleTimeout, maxInitialLineLength, maxHeaderSize,
                DEFAULT_MAX_HEADERS, GuardConfig.NONE);
    }

    /**
     * Whether this listener's connections take the HTTP path: {@code mode: http}, or {@code mode: tcp}
     * with {@code validate: http} (seed 004: HTTP is validated by parsing it).
     */
    public boolean servesHttp() {
        return mode == Mode.HTTP || validate != null && validate.kind() == TcpValidateConfig.Kind.HTTP;
    }

    public String address() {
        return Addresses.hostPort(host, port);
    }
}
