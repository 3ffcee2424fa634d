package io.switchboard.proxy.probe;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.backend.Backend;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.resolve.HostResolver;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A layer-4 check: the back end is healthy when it accepts a TCP connection within the timeout. The
 * connection is closed at once; nothing is sent but the PROXY header of a back end that gets one. It proves a listener, not a working application.
 *
 * <p>Threading: immutable and shareable; see {@link HealthProbe} for the contract of {@link #probe}.
 */
public final class TcpProbe implements HealthProbe {
    private final HealthCheckConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    private final HostResolver resolvers;
    private final ProxyProtocolVersion sendProxy;

    public TcpProbe(HealthCheckConfig config, Transport transport, EventLoopGroup group) {
        this(config, transport, group, HostResolver.system(transport));
    }

    public TcpProbe(HealthCheckConfig config, Transport transport, EventLoopGroup group, HostResolver resolvers) {
        this(config, transport, group, resolvers, null);
    }

    /**
     * @param sendProxy the pool's {@code send-proxy} (null: none): a back end that gets a PROXY header (its
     *     own {@code send-proxy}, else this) gets one on its probes too, naming the probe's own addresses
     */
    public TcpProbe(HealthCheckConfig config, Transport transport, EventLoopGroup group, HostResolver resolvers,
                    ProxyProtocolVersion sendProxy) {
        this.sendProxy = sendProxy;
        this.resolvers = Objects.requireNonNull(resolvers, "resolvers");
        this.config = Objects.requireNonNull(config, "config");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.group = Objects.requireNonNull(group, "group");
    }

    @Override
    public CompletableFuture<ProbeResult> probe(Backend backend) {
        return ProbeAttempt.start(transport, group, resolvers, backend, config.timeout(), backend.sendProxy().or(sendProxy),
                Connect::new);
    }

    /** Passes on connect; closing is the attempt's job. */
    private static final class Connect extends ChannelInboundHandlerAdapter {
        private final ProbeAttempt attempt;

        Connect(ProbeAttempt attempt) {
            this.attempt = attempt;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            attempt.pass("TCP connect in " + attempt.elapsedMillis() + " ms");
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg); // a banner that arrived before we closed
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            attempt.fail(cause);
            ctx.close();
        }
    }
}
