package io.switchboard.proxy.probe;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.switchboard.backend.Backend;
import io.switchboard.config.BackendTlsConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.resolve.HostResolver;
import io.switchboard.proxy.tls.BackendTls;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A layer-7 check: sends {@code METHOD path HTTP/1.1} on a fresh connection and judges the status
 * line alone — healthy when the status is in [statusMin, statusMax]. The body is never waited for,
 * so a back end that streams a large health page costs one read, not its whole body. Each probe
 * sends {@code Connection: close} and closes the channel itself once it has a verdict; the
 * timeout covers connect and response together.
 *
 * <p>Threading: immutable and shareable; see {@link HealthProbe} for the contract of {@link #probe}.
 * Each probe's handlers run on the event loop of its own channel.
 */
public final class HttpProbe implements HealthProbe {
    static final String USER_AGENT = "switchboard-health";

    private final HealthCheckConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    private final HostResolver resolvers;
    private final HttpMethod method;
    private final String path;
    private final String expected;
    private final BackendTlsConfig tls;
    private final ProxyProtocolVersion sendProxy;

    public HttpProbe(HealthCheckConfig config, Transport transport, EventLoopGroup group) {
        this(config, transport, group, HostResolver.system(transport));
    }

    public HttpProbe(HealthCheckConfig config, Transport transport, EventLoopGroup group, HostResolver resolvers) {
        this(config, transport, group, resolvers, null);
    }

    /** @param tls the pool's TLS to its back ends, which the probe speaks too; null: plain text */
    public HttpProbe(HealthCheckConfig config, Transport transport, EventLoopGroup group, HostResolver resolvers,
                     BackendTlsConfig tls) {
        this(config, transport, group, resolvers, tls, null);
    }

    /**
     * @param sendProxy the pool's {@code send-proxy} (null: none): a back end that gets a PROXY header (its
     *     own {@code send-proxy}, else this) gets one on its probes too, naming the probe's own addresses,
     *     ahead of the TLS handshake when there is one
     */
    public HttpProbe(HealthCheckConfig config, Transport transport, EventLoopGroup group, HostResolver resolvers,
                     BackendTlsConfig tls, ProxyProtocolVersion sendProxy) {
        this.tls = tls;
        this.sendProxy = sendProxy;
        this.resolvers = Objects.requireNonNull(resolvers, "resolvers");
        this.config = Objects.requireNonNull(config, "config");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.group = Objects.requireNonNull(group, "group");
        this.method = HttpMethod.valueOf(config.method() == null ? "GET" : config.method());
        this.path = config.path() == null || config.path().isEmpty() ? "/" : config.path();
        this.expected = config.statusMin() == config.statusMax()
                ? Integer.toString(config.statusMin())
                : config.statusMin() + "-" + config.statusMax();
    }

    @Override
    public CompletableFuture<ProbeResult> probe(Backend backend) {
        String host = config.host() == null || config.host().isBlank() ? backend.address() : config.host();
        return ProbeAttempt.start(transport, group, resolvers, backend, config.timeout(), backend.sendProxy().or(sendProxy),
                attempt -> new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (tls != null) ch.pipeline().addLast(BackendTls.handler(tls, ch.alloc(), backend.host(), backend.port()));
                ch.pipeline().addLast(new HttpClientCodec(), new Exchange(attempt, host));
            }
        });
    }

    /** Writes the request once connected and reads the status line; releases every message it is given. */
    private final class Exchange extends SimpleChannelInboundHandler<HttpObject> {
        private final ProbeAttempt attempt;
        private final String host;

        Exchange(ProbeAttempt attempt, String host) {
            this.attempt = attempt;
            this.host = host;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, Unpooled.EMPTY_BUFFER);
            request.headers()
                    .set(HttpHeaderNames.HOST, host)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
            if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
                // a POST or OPTIONS without a length makes some servers wait for a body
                request.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            }
            ctx.writeAndFlush(request).addListener(f -> {
                if (!f.isSuccess()) attempt.fail(f.cause());
            });
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpResponse response)) return; // body chunks after the verdict
            if (response.decoderResult().isFailure()) {
                Throwable cause = response.decoderResult().cause();
                attempt.fail("invalid HTTP response: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
            } else {
                int status = response.status().code();
                if (status >= config.statusMin() && status <= config.statusMax()) {
                    attempt.pass("HTTP " + status + " in " + attempt.elapsedMillis() + " ms");
                } else {
                    attempt.fail("HTTP " + status + " (expected " + expected + ")");
                }
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            attempt.fail("connection closed before response");
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            attempt.fail(cause);
            ctx.close();
        }
    }
}
