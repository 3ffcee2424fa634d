package io.switchboard.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.ChannelHandler;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.ProxyState;
import io.switchboard.proxy.guard.AccessControl;
import io.switchboard.proxy.guard.ConnectionLimiter;
import io.switchboard.proxy.guard.RateLimiter;
import io.switchboard.proxy.guard.RequestGuard;
import io.switchboard.proxy.tls.ListenerTls;
import java.util.function.Consumer;

/**
 * The front-end pipeline of one listener: connection limit (if configured), TLS (if configured: after
 * the limit, so that a refused connection costs no handshake), the HTTP/1.x decoder,
 * address and rate guards (if configured), the proxy handler, which writes encoded bytes itself
 * (timeouts are checked by the loop's {@link ConnectionTimers}).
 * Every accepted channel joins {@code clients} so graceful shutdown can find it.
 */
public final class HttpFrontendInitializer extends ChannelInitializer<Channel> {
    private final ProxyState state;
    private final ListenerConfig listener;
    private final ChannelGroup clients;
    private final HeadParser.Limits limits;
    private final Consumer<String> refusedAtAccept;
    private final ListenerTls tls;

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
    }

    @Override
    protected void initChannel(Channel ch) {
        clients.add(ch);
        FrontendHandler frontend = new FrontendHandler(state, listener,
                RequestGuard.of(AccessControl.of(ch, listener), RateLimiter.of(ch, listener)));
        // Guards that are not configured are left out: every handler costs a context, a sharability
        // lookup and a hop per event, on every accepted connection.
        ChannelPipeline p = ch.pipeline();
        addIfPresent(p, "connection-limit", ConnectionLimiter.of(ch, listener, refusedAtAccept));
        if (tls != null) {
            p.addLast("tls", tls.newSniHandler(listener.headerTimeout()));
            p.addLast("tls-events", tls.newObserver());
        }
        p.addLast("decoder", Http1Decoder.forRequests(limits, frontend));
        p.addLast("proxy", frontend);
    }

    private static void addIfPresent(ChannelPipeline p, String name, ChannelHandler h) {
        if (h != null) p.addLast(name, h);
    }
}
