package io.switchboard.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.config.Addresses;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.proxy.guard.ListenerGuard;
import io.switchboard.proxy.http.HttpFrontendInitializer;
import io.switchboard.proxy.resolve.HostResolver;
import io.switchboard.proxy.tcp.TcpFrontendInitializer;
import io.switchboard.proxy.tls.ListenerTls;
import io.switchboard.proxy.tls.SniContexts;
import io.switchboard.proxy.tls.TlsSetupException;
import io.switchboard.registry.Pool;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP data plane: the server channels of the configured listeners, all on one event-loop group.
 * With epoll, each listener has one server channel per event loop on the same port (SO_REUSEPORT), and
 * each loop serves the connections it accepted; they share one {@link ListenerGuard}.
 *
 * <p>Threading: {@link #start}, {@link #update} and {@link #shutdownGracefully} are called by the
 * controlling thread (CLI, signal handler, tests); request handling runs on the group's loops and
 * sees configuration changes through one volatile routing snapshot.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final Transport transport;
    private final EventLoopGroup group;
    private final ProxyState state;
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final Map<String, Channel> servers = new LinkedHashMap<>();
    /** Every bound server channel: with a native transport, one per listener and event loop (SO_REUSEPORT). */
    private final List<Channel> acceptors = new ArrayList<>();
    /** The TLS state of every TLS listener, by name; kept across reloads (ticket keys, counters). */
    private final Map<String, ListenerTls> tls = new LinkedHashMap<>();
    private volatile SwitchboardConfig config;
    /** Each listener's one frontend initializer, by name: a reload hands it the settings that apply to new connections. */
    private final Map<String, ChannelHandler> frontends = new LinkedHashMap<>();

    public ProxyServer(SwitchboardConfig config, Map<String, Pool> pools, AccessLog accessLog, Transport transport,
                       EventLoopGroup group) {
        this(config, pools, accessLog, transport, group, HostResolver.system(transport));
    }

    /** @param resolvers how back-end host names are looked up; the caller closes it after this server */
    public ProxyServer(SwitchboardConfig config, Map<String, Pool> pools, AccessLog accessLog, Transport transport,
                       EventLoopGroup group, HostResolver resolvers) {
        this.config = config;
        this.transport = transport;
        this.group = group;
        this.state = new ProxyState(new ProxyState.Routing(config, pools), transport, accessLog, resolvers);
        try {
            for (ListenerConfig l : config.listeners()) {
                if (l.tls() != null) {
                    tls.put(l.name(), new ListenerTls(l.name(), l.tls(), alpn(l), group.next(),
                            state.listenerCounters().of(l.name())::tlsHandshakeFailed));
                }
            }
        } catch (RuntimeException e) {
            tls.values().forEach(ListenerTls::close); // their ticket-key timers
            throw e;
        }
    }

    /** Binds every listener; on failure, closes what was bound and says which address failed. */
    public void start() throws IOException, InterruptedException {
        for (ListenerConfig l : config.listeners()) {
            try {
                Channel ch;
                ChannelHandler frontend = frontend(l);
                AcceptFailures failures = new AcceptFailures(l.name()); // one log rate limit for the listener's acceptors
                frontends.put(l.name(), frontend);
                if (transport.reusePort()) {
                    // One acceptor per event loop on the same port (SO_REUSEPORT): the kernel spreads
                    // new connections over the loops, and each loop serves what it accepted, so a new
                    // connection is never handed to another thread (no task queue, no wake-up).
                    ch = null;
                    int port = l.port();
                    if (port != 0) refuseIfTaken(l);
                    ListenerGuard guard = ListenerGuard.forListener(l);
                    for (EventExecutor e : group) {
                        EventLoop loop = (EventLoop) e;
                        ServerBootstrap b = bootstrap(l, loop, frontend, failures)
                                .attr(ListenerGuard.KEY, guard) // one guard for all of them
                                .option(UnixChannelOption.SO_REUSEPORT, true)
                                // Not for TCP: a protocol where the server speaks first (SMTP, POP3)
                                // would wait for a client byte that never comes before the accept.
                                .option(transport.deferAccept(), l.servesHttp() ? 1 : 0);
                        Channel one = b.bind(l.host(), port).sync().channel();
                        acceptors.add(one);
                        if (ch == null) {
                            ch = one;
                            port = ((InetSocketAddress) one.localAddress()).getPort(); // port 0: the rest join the first
                        }
                    }
                } else {
                    ch = bootstrap(l, group, frontend, failures).bind(l.host(), l.port()).sync().channel();
                    acceptors.add(ch);
                }
                servers.put(l.name(), ch);
                log.debug("listener {} on {} -> pool {}", l.name(), describe((InetSocketAddress) ch.localAddress()), l.defaultPool());
            } catch (Exception e) {
                close();
                if (e instanceof BindException || e instanceof Errors.NativeIoException) {
                    throw new BindException("cannot listen on " + l.address() + " (listener '" + l.name() + "'): " + e.getMessage());
                }
                throw e;
            }
        }
    }

    /**
     * With SO_REUSEPORT the kernel lets another process that also sets it (a second Switchboard
     * started by mistake) bind the same address and take part of the connections, silently. A
     * plain socket cannot bind where anyone listens, so one bound and closed first makes a taken
     * address fail the start, as it does without SO_REUSEPORT. (Reloads happen in-process on
     * SIGHUP, so Switchboard never needs to share its port with another process.)
     */
    private static void refuseIfTaken(ListenerConfig l) throws BindException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(l.host(), l.port()));
        } catch (BindException e) {
            throw new BindException(e.getMessage() + " (another process listens there)"); // start() names the listener
        } catch (IOException e) {
            throw new BindException(e.getMessage());
        }
    }

    /**
     * @param frontend the listener's one initializer, shared by its acceptors: what it keeps for the
     *     listener (TLS session IDs of passthrough, rate-limited logs) must not be split per event loop,
     *     where the kernel's spreading of connections would make it miss half the time
     * @param failures the listener's handler of failed accepts (out of file descriptors), shared likewise
     */
    private ServerBootstrap bootstrap(ListenerConfig l, EventLoopGroup loops, ChannelHandler frontend, AcceptFailures failures) {
        return new ServerBootstrap()
                .group(loops)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, true) // off only under back-pressure: see FrontendHandler
                // TCP_NODELAY: Netty's socket channels set it themselves when created (it is their
                // default wherever the platform allows, which includes Linux); setting it here again
                // would cost one more setsockopt per accepted connection.
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                // Netty's default policy with a smaller handle, and one allocator for all (the channels'
                // default makes one per connection): less heap per idle connection, see ClientReceiveSizing.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, ClientReceiveSizing.INSTANCE)
                .handler(failures)
                .childHandler(frontend);
    }

    /** The pipeline initializer of a listener's accepted connections. */
    private ChannelHandler frontend(ListenerConfig l) {
        // validate: http hands a tcp listener's connections to the HTTP path whole: parsing is the validation.
        if (l.servesHttp()) return new HttpFrontendInitializer(state, l, clients, tls.get(l.name()));
        return new TcpFrontendInitializer(state, l, clients);
    }

    private static String describe(InetSocketAddress a) {
        return Addresses.of(a);
    }

    /** The bound address of a listener (its port resolved when configured as 0). */
    public InetSocketAddress boundAddress(String listenerName) {
        Channel ch = servers.get(listenerName);
        if (ch == null) throw new IllegalArgumentException("no listener named '" + listenerName + "' (have: " + servers.keySet() + ")");
        return (InetSocketAddress) ch.localAddress();
    }

    /**
     * Reload: requests that start after this call are routed with the new config and pools, and
     * connections accepted after it use each listener's new {@code proxy-protocol}, {@code splice} and
     * {@code validate}; open connections keep what they started with.
     */
    public void update(SwitchboardConfig next, Map<String, Pool> pools) {
        this.config = next;
        for (ListenerConfig l : next.listeners()) {
            switch (frontends.get(l.name())) {
                case TcpFrontendInitializer t -> t.update(l);
                case HttpFrontendInitializer h -> h.update(l);
                case null, default -> { }
            }
        }
        state.routing(new ProxyState.Routing(next, pools));
    }

    /**
     * Reload, first step: reads the certificate files of every TLS listener again (renewed files
     * under the same names are picked up) and builds their contexts, without using them; the returned
     * action makes new handshakes use them. Open connections keep the engine they have. Listeners
     * that were bound without TLS are left alone (turning TLS on or off takes a restart).
     *
     * @throws TlsSetupException when a file or setting cannot be used; nothing changed then
     */
    public Runnable prepareTls(SwitchboardConfig next) {
        Map<ListenerTls, SniContexts> built = new LinkedHashMap<>();
        for (ListenerConfig l : next.listeners()) {
            ListenerTls t = tls.get(l.name());
            if (t != null && l.tls() != null) built.put(t, ListenerTls.build(l.tls(), alpn(l)));
        }
        return () -> built.forEach(ListenerTls::use);
    }

    /** A TLS listener's state (handshake failures, current contexts); null for a plain-text listener. */
    /** What a TLS listener offers by ALPN: h2 first when it speaks HTTP/2. */
    private static List<String> alpn(ListenerConfig l) {
        return l.http2().enabled() ? SniContexts.ALPN : SniContexts.ALPN_HTTP1;
    }

    public ListenerTls tls(String listenerName) {
        return tls.get(listenerName);
    }

    /**
     * The open client connections, read-only. Only tests call this (TransportIT reads the socket
     * options of accepted connections, which nothing else exposes); kept because the alternative,
     * a test hook in the pipeline, would be more test-only code, not less.
     */
    public Collection<Channel> clientChannels() {
        return Collections.unmodifiableCollection(clients);
    }

    public ProxyState state() {
        return state;
    }

    public String transportName() {
        return transport.name();
    }

    /**
     * Stops accepting, closes idle client connections, lets in-flight exchanges finish (their
     * responses carry {@code Connection: close}) and open TCP sessions end until none is left or
     * {@code grace} passes, then closes everything.
     *
     * @return true when every in-flight request and TCP session finished within the grace period
     */
    public boolean shutdownGracefully(Duration grace) {
        state.startDraining();
        for (Channel s : acceptors) s.close().awaitUninterruptibly();
        for (Channel c : clients) {
            c.eventLoop().execute(() -> HttpFrontendInitializer.closeIfIdle(c));
        }
        long deadline = System.nanoTime() + grace.toNanos();
        boolean clean = true;
        // TCP sessions are left to finish as they are: the proxy cannot tell a session where to stop.
        while (state.activeExchanges() > 0 || state.sessions().size() > 0) {
            if (System.nanoTime() >= deadline) {
                clean = false;
                log.warn("shutdown grace of {} ms over with {} requests in flight and {} TCP sessions open; closing them",
                        grace.toMillis(), state.activeExchanges(), state.sessions().size());
                break;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                clean = false;
                break;
            }
        }
        clients.close().awaitUninterruptibly();
        tls.values().forEach(ListenerTls::close);
        return clean;
    }

    @Override
    public void close() {
        state.startDraining();
        for (Channel s : acceptors) s.close().awaitUninterruptibly();
        clients.close().awaitUninterruptibly();
        tls.values().forEach(ListenerTls::close);
    }
}
