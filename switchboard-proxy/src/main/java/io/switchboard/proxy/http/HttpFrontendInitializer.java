package io.switchboard.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.switchboard.config.ListenerConfig;

/**
 * The front-end pipeline of one listener: head timer, HTTP/1.1 codec, the proxy handler (timeouts are
 * checked by the loop's {@link ConnectionTimers}).
 * Every accepted channel joins {@code clients} so graceful shutdown can find it.
 */
public final class HttpFrontendInitializer extends ChannelInitializer<Channel> {
    static final int MAX_CHUNK = 64 * 1024;

    private final ProxyState state;
    private final ListenerConfig listener;
    private final ChannelGroup clients;

    public HttpFrontendInitializer(ProxyState state, ListenerConfig listener, ChannelGroup clients) {
        this.state = state;
        this.listener = listener;
        this.clients = clients;
    }

    @Override
    protected void initChannel(Channel ch) {
        clients.add(ch);
        FrontendHandler frontend = new FrontendHandler(state, listener);
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(listener.maxInitialLineLength())
                .setMaxHeaderSize(listener.maxHeaderSize())
                .setMaxChunkSize(MAX_CHUNK)
                .setValidateHeaders(true);
        // Guards that are not configured are left out: every handler costs a context, a sharability
        // lookup and a hop per event, on every accepted connection.
        ChannelPipeline p = ch.pipeline();
        addIfPresent(p, "connection-limit", io.switchboard.proxy.guard.ConnectionLimiter.of(ch, listener));
        p.addLast("head-timer", new RequestHeadTimer(frontend))
                .addLast("scan", io.switchboard.proxy.guard.HeadScanner.forRequests())
                .addLast("codec", new HttpServerCodec(decoder))
                .addLast("validate", new io.switchboard.proxy.guard.RequestValidator(listener));
        addIfPresent(p, "access-control", io.switchboard.proxy.guard.AccessControl.of(ch, listener, state.accessLog()));
        addIfPresent(p, "rate-limit", io.switchboard.proxy.guard.RateLimiter.of(ch, listener, state.accessLog()));
        p.addLast("proxy", frontend);
    }

    private static void addIfPresent(ChannelPipeline p, String name, io.netty.channel.ChannelHandler h) {
        if (h != null) p.addLast(name, h);
    }
}
