package io.switchboard.proxy.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.guard.ProxyProtocolRefusals;
import io.switchboard.proxy.proxyprotocol.ProxyProtocolAcceptor;
import io.switchboard.proxy.ProxyState;
import io.switchboard.proxy.guard.AccessControl;
import io.switchboard.proxy.guard.ConnectionLimiter;
import java.util.function.Consumer;

/**
 * The front-end pipeline of a {@code mode: tcp} listener: the PROXY-protocol acceptor (if configured),
 * the connection limit (if configured), the validator (if configured), and the {@link TcpSession},
 * which checks the allow/deny lists at accept and keeps the idle timeout.
 * Half-closure is allowed, so a client's FIN reaches the back end as a FIN instead of closing the
 * session. Every accepted channel joins {@code clients} so that shutdown can close what is left.
 *
 * <p>The idle timeout is the session's own timer, not the HTTP front end's tick: a session is long and
 * its one scheduled check per timeout period costs nothing next to its bytes ({@link TcpSession}).
 *
 * <p>Threading: {@link #initChannel} runs on the accepted channel's event loop.
 */
public final class TcpFrontendInitializer extends ChannelInitializer<Channel> {
    private final ProxyState state;
    private final ListenerConfig listener;
    private final ChannelGroup clients;
    private final Consumer<String> refusedAtAccept;
    /** The listener's PROXY-protocol acceptor; null when it takes no headers. */
    private final ProxyProtocolAcceptor proxyProtocol;
    private final SniRoutes sniRoutes;
    private final ValidationFailures validationFailures;
    private final TlsSessionIds tlsSessionIds = new TlsSessionIds();

    public TcpFrontendInitializer(ProxyState state, ListenerConfig listener, ChannelGroup clients) {
        this.state = state;
        this.listener = listener;
        this.clients = clients;
        this.refusedAtAccept = state.listenerCounters().of(listener.name())::refusedAtAccept;
        this.proxyProtocol = ProxyProtocolRefusals.acceptor(listener, state.listenerCounters().of(listener.name())::proxyProtocolRefused);
        this.sniRoutes = new SniRoutes(listener.validate().sniRoutes(), listener.defaultPool());
        this.validationFailures = new ValidationFailures(listener.name(), state.listenerCounters().of(listener.name()));
    }

    @Override
    protected void initChannel(Channel ch) {
        clients.add(ch);
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ChannelPipeline p = ch.pipeline();
        // First: a trusted peer's header is read before anything else sees the connection (or its address).
        if (proxyProtocol != null) proxyProtocol.install(ch);
        ChannelHandler limit = ConnectionLimiter.of(ch, listener, refusedAtAccept);
        if (limit != null) p.addLast("connection-limit", limit);
        switch (listener.validate().kind()) {
            case TLS -> p.addLast("validate", new TlsPeek(sniRoutes, validationFailures, tlsSessionIds));
            case LINE -> p.addLast("validate", new LineValidator(listener.validate(), validationFailures));
            case RESP -> p.addLast("validate", new RespValidator(listener.validate(), validationFailures));
            case NONE -> { }
            case HTTP -> throw new IllegalStateException("validate: http is served by the HTTP front end, not this one");
        }
        p.addLast("session", new TcpSession(state, listener, AccessControl.of(ch, listener)));
    }
}
