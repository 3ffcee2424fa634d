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
 * <p>Threading: {@link #initChannel} runs on the accepted channel's event loop; {@link #update} on the
 * reloading thread. The settings a reload may change ({@code proxy-protocol}, {@code splice},
 * {@code validate} and its keys) are one volatile {@link Settings} that a reload replaces: each
 * connection reads it once at accept and keeps it for its life, so open sessions go on as they started
 * and new ones follow the reload. The TLS session-ID table outlives reloads.
 */
public final class TcpFrontendInitializer extends ChannelInitializer<Channel> {
    private final ProxyState state;
    private final ChannelGroup clients;
    private final Consumer<String> refusedAtAccept;
    private volatile Settings settings;
    private final ValidationFailures validationFailures;
    private final TlsSessionIds tlsSessionIds = new TlsSessionIds();

    public TcpFrontendInitializer(ProxyState state, ListenerConfig listener, ChannelGroup clients) {
        this.state = state;
        this.clients = clients;
        this.refusedAtAccept = state.listenerCounters().of(listener.name())::refusedAtAccept;
        this.settings = settings(listener);
        this.validationFailures = new ValidationFailures(listener.name(), state.listenerCounters().of(listener.name()));
    }

    /**
     * What new connections are set up with.
     *
     * @param listener the listener's config as of the last reload
     * @param proxyProtocol the listener's PROXY-protocol acceptor; null when it takes no headers
     */
    private record Settings(ListenerConfig listener, ProxyProtocolAcceptor proxyProtocol, SniRoutes sniRoutes) {}

    private Settings settings(ListenerConfig l) {
        return new Settings(l, ProxyProtocolRefusals.acceptor(l, state.listenerCounters().of(l.name())::proxyProtocolRefused),
                new SniRoutes(l.validate().sniRoutes(), l.defaultPool()));
    }

    /**
     * Reload: connections accepted from now on use {@code next}'s {@code proxy-protocol}, {@code splice}
     * and {@code validate}; the rest of {@code next} must equal what the listener was bound with (the
     * caller refuses a reload that changes it).
     */
    public void update(ListenerConfig next) {
        settings = settings(next);
    }

    @Override
    protected void initChannel(Channel ch) {
        Settings s = settings;
        ListenerConfig listener = s.listener();
        clients.add(ch);
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ChannelPipeline p = ch.pipeline();
        // First: a trusted peer's header is read before anything else sees the connection (or its address).
        if (s.proxyProtocol() != null) s.proxyProtocol().install(ch);
        ChannelHandler limit = ConnectionLimiter.of(ch, listener, refusedAtAccept);
        if (limit != null) p.addLast("connection-limit", limit);
        switch (listener.validate().kind()) {
            case TLS -> p.addLast("validate", new TlsPeek(s.sniRoutes(), validationFailures, tlsSessionIds));
            case LINE -> p.addLast("validate", new LineValidator(listener.validate(), validationFailures));
            case RESP -> p.addLast("validate", new RespValidator(listener.validate(), validationFailures));
            case NONE -> { }
            case HTTP -> throw new IllegalStateException("validate: http is served by the HTTP front end, not this one");
        }
        p.addLast("session", new TcpSession(state, listener, AccessControl.of(ch, listener)));
    }
}
