package io.switchboard.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.ChannelHandler;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.ProxyState;
import io.switchboard.proxy.guard.AccessControl;
import io.switchboard.proxy.guard.ConnectionLimiter;
import io.switchboard.proxy.guard.ProxyProtocolRefusals;
import io.switchboard.proxy.guard.RateLimiter;
import io.switchboard.proxy.guard.RequestGuard;
import io.switchboard.proxy.proxyprotocol.ProxyProtocolAcceptor;
import io.switchboard.proxy.tls.ListenerTls;
import java.util.function.Consumer;

/**
 * The front-end pipeline of one listener: the PROXY protocol header (if configured: first, as it
 * precedes everything else on the connection, and the limits count the client it carries),
 * connection limit (if configured), TLS (if configured: after
 * the limit, so that a refused connection costs no handshake), then HTTP/2 ({@link H2Connection}) when
 * ALPN chose {@code h2} (or, on plain text, when the client opens with the HTTP/2 preface: see {@link
 * H2Connection#takeOver}), else the proxy handler with its HTTP/1.x decoder embedded (one
 * pipeline handler for both: each context is heap kept by every idle connection), with the
 * address and rate guards (if configured); it writes encoded bytes itself
 * (timeouts are checked by the loop's {@link ConnectionTimers}).
 * Every accepted channel joins {@code clients} so graceful shutdown can find it.
 *
 * <p>Threading: {@link #initChannel} runs on the accepted channel's event loop; {@link #update} on the
 * reloading thread. A reload's {@code proxy-protocol} reaches connections accepted after it through one
 * volatile reference; a connection keeps the acceptor it was accepted with.
 */
public final class HttpFrontendInitializer extends ChannelInitializer<Channel> {
    private final ProxyState state;
    private final ListenerConfig listener;
    private final ChannelGroup clients;
    private final HeadParser.Limits limits;
    private final Consumer<String> refusedAtAccept;
    private final ListenerTls tls;
    /** The listener's PROXY protocol acceptor; null when it takes no headers. Replaced by a reload. */
    private volatile ProxyProtocolAcceptor proxyProtocol;

    public HttpFrontendInitializer(ProxyState state, ListenerConfig listener, ChannelGroup clients) {
        this(state, listener, clients, null);
    }

    /** @param tls the listener's TLS contexts; null for plain text */
    public HttpFrontendInitializer(ProxyState state, ListenerConfig listener, ChannelGroup clients, ListenerTls tls) {
        this.tls = tls;
        this.state = state;
        this.listener = listener;
        this.clients = clients;
        this.limits = new HeadParser.Limits(listener.maxInitialLineLength(), listener.maxHeaderSize(), listener.maxHeaders());
        this.refusedAtAccept = state.listenerCounters().of(listener.name())::refusedAtAccept;
        this.proxyProtocol = listener.proxyProtocol() == null ? null : proxyProtocol(state, listener);
    }

    /**
     * Reload: connections accepted from now on take PROXY headers from {@code next}'s trusted networks
     * (or none); the rest of {@code next} must equal what the listener was bound with (the caller
     * refuses a reload that changes it).
     */
    public void update(ListenerConfig next) {
        proxyProtocol = next.proxyProtocol() == null ? null : proxyProtocol(state, next);
    }

    @Override
    protected void initChannel(Channel ch) {
        clients.add(ch);
        ProxyProtocolAcceptor proxyProtocol = this.proxyProtocol;
        FrontendHandler frontend = new FrontendHandler(state, listener,
                RequestGuard.of(AccessControl.of(ch, listener), RateLimiter.of(ch, listener)));
        // Guards that are not configured are left out: every handler costs a context, a sharability
        // lookup and a hop per event, on every accepted connection.
        ChannelPipeline p = ch.pipeline();
        if (proxyProtocol != null) proxyProtocol.install(ch);
        addIfPresent(p, "connection-limit", ConnectionLimiter.of(ch, listener, refusedAtAccept));
        if (tls != null) {
            p.addLast("tls", tls.newSniHandler(listener.headerTimeout()));
            p.addLast("tls-events", tls.newObserver());
            if (listener.http2().enabled()) {
                // ALPN decides after the handshake: h2, or HTTP/1.1 as below.
                p.addLast("alpn", new AlpnSelect(frontend));
                return;
            }
        }
        // A FIN from the client after a whole request: answer it, then close (FrontendHandler). Not
        // behind TLS, where a client ends with close_notify, nor for HTTP/2 (ALPN above).
        if (tls == null) ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        Http1Decoder.embedIn(limits, frontend); // one handler for both: a context less per connection
        p.addLast("proxy", frontend);
    }

    /**
     * Installs the pipeline of the protocol ALPN chose, once the handshake is done (reads before that
     * are held by Netty's handler). Holds back {@code channelActive} until then: the HTTP/1.1 handler
     * starts its header timeout at it, and the handshake has its own.
     */
    private final class AlpnSelect extends ApplicationProtocolNegotiationHandler {
        private final FrontendHandler frontend;

        AlpnSelect(FrontendHandler frontend) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.frontend = frontend;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // held: fired to the handlers installed in configurePipeline
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            ChannelPipeline p = ctx.pipeline();
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                H2Connection.install(p, state, listener);
            } else {
                Http1Decoder.embedIn(limits, frontend);
                p.addLast("proxy", frontend);
            }
            ctx.fireChannelActive();
        }
    }

    /** Graceful shutdown: closes the connection if no request is in progress, or sends HTTP/2's GOAWAY. */
    public static void closeIfIdle(Channel ch) {
        FrontendHandler f = ch.pipeline().get(FrontendHandler.class);
        if (f != null) {
            f.closeIfIdle();
            return;
        }
        H2Connection h2 = ch.pipeline().get(H2Connection.class);
        if (h2 != null) h2.closeGracefully();
    }

    /** The listener's PROXY protocol acceptor, counting refusals in its metrics and logging them rate-limited. */
    public static ProxyProtocolAcceptor proxyProtocol(ProxyState state, ListenerConfig listener) {
        return ProxyProtocolRefusals.acceptor(listener, state.listenerCounters().of(listener.name())::proxyProtocolRefused);
    }

    private static void addIfPresent(ChannelPipeline p, String name, ChannelHandler h) {
        if (h != null) p.addLast(name, h);
    }
}
