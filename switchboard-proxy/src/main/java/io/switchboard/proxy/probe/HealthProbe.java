package io.switchboard.proxy.probe;

import io.netty.channel.EventLoopGroup;
import io.switchboard.backend.Backend;
import io.switchboard.config.BackendTlsConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.resolve.HostResolver;
import java.util.concurrent.CompletableFuture;

/**
 * One kind of active health check: opens a fresh connection to a back end and judges it.
 *
 * <p>Threading: {@link #probe} may be called from any thread and never blocks or throws. The returned
 * future completes exactly once with a result, normally on an event loop of the probe's group, and
 * never exceptionally: a back end that refuses, resets or stays silent is a failed result, not an
 * exception. Cancelling the future abandons the probe and closes its channel. A probe never outlives
 * its configured timeout and never leaks a channel or a buffer.
 */
public sealed interface HealthProbe permits TcpProbe, HttpProbe {

    CompletableFuture<ProbeResult> probe(Backend backend);

    /**
     * The probe the config asks for.
     *
     * @throws IllegalArgumentException for type NONE, which has no probe
     */
    static HealthProbe of(HealthCheckConfig config, Transport transport, EventLoopGroup group, HostResolver resolvers) {
        return of(config, transport, group, resolvers, null);
    }

    /** The probe the config asks for; an HTTP probe speaks the pool's back-end TLS ({@code tls}, null: none), a TCP probe only connects. */
    static HealthProbe of(HealthCheckConfig config, Transport transport, EventLoopGroup group, HostResolver resolvers,
                          BackendTlsConfig tls) {
        return of(config, transport, group, resolvers, tls, null);
    }

    /**
     * The probe the config asks for, starting its connections to a back end that gets a PROXY header (its
     * own {@code send-proxy}, else the pool's {@code sendProxy}; null: none) with one, as HAProxy's
     * {@code check-send-proxy} does: a back end that requires the header would refuse every probe without it.
     */
    static HealthProbe of(HealthCheckConfig config, Transport transport, EventLoopGroup group, HostResolver resolvers,
                          BackendTlsConfig tls, ProxyProtocolVersion sendProxy) {
        return switch (config.type()) {
            case TCP -> new TcpProbe(config, transport, group, resolvers, sendProxy);
            case HTTP -> new HttpProbe(config, transport, group, resolvers, tls, sendProxy);
            case NONE -> throw new IllegalArgumentException("health check type 'none' has no probe");
        };
    }
}
