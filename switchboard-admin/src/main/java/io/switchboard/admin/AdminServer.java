package io.switchboard.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.admin.metrics.SwitchboardCollector;
import io.switchboard.admin.stats.Sampler;
import io.switchboard.admin.stats.Traffic;
import io.switchboard.config.Addresses;
import io.switchboard.config.AdminConfig;
import io.switchboard.proxy.Transport;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: the JSON API under {@code /api/v1/}, Prometheus metrics at {@code /metrics}
 * and the live dashboard at {@code /}, on its own address (127.0.0.1:9000 by default).
 *
 * <p>Threading: the listener's connections run on the dispatcher's event loops (the same
 * {@link Transport} and group as the proxy), but only to frame HTTP; all admin work (JSON, scrapes,
 * reloads, the once-a-second sampling) runs on one "switchboard-admin" worker thread, so a slow
 * scrape never delays a proxied request. {@link #start} and {@link #close} are called by the
 * controlling thread.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** Request bodies are small JSON objects; a larger one gets 413. */
    static final int MAX_BODY = 64 * 1024;

    private final AdminConfig config;
    private final Dispatcher dispatcher;
    private final Transport transport;
    private final EventLoopGroup group;
    private final Traffic traffic = new Traffic();
    private final Sampler sampler = new Sampler(traffic);
    private final Auth auth;
    private final ScheduledExecutorService worker;
    private final AdminApi api;
    private final ChannelGroup connections = new DefaultChannelGroup("admin", GlobalEventExecutor.INSTANCE);
    private Channel server;

    public AdminServer(AdminConfig config, Dispatcher dispatcher, Transport transport, EventLoopGroup group) {
        this.config = config;
        this.dispatcher = dispatcher;
        this.transport = transport;
        this.group = group;
        this.auth = new Auth(config.token());
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-admin");
            t.setDaemon(true);
            return t;
        });
        Json json = new Json();
        MetricsEndpoint metrics = new MetricsEndpoint(new SwitchboardCollector(dispatcher::pools, traffic, dispatcher::accessLog,
                dispatcher::queueLength, dispatcher::queuedByClass, dispatcher::listenerCounters, dispatcher::persistence,
                dispatcher::sessions, dispatcher::loadReports, dispatcher::dns, dispatcher::clusterStatus));
        this.api = new AdminApi(dispatcher, traffic, sampler, auth, json, metrics, new StaticFiles(), worker, System::nanoTime);
    }

    /**
     * Starts counting traffic and binds the listener.
     *
     * @throws BindException naming the admin address when it cannot listen there
     */
    public void start() throws IOException, InterruptedException {
        dispatcher.addExchangeListener(traffic);
        worker.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(
                                new IdleStateHandler(0, 0, 120, TimeUnit.SECONDS),
                                new HttpServerCodec(4096, 16 * 1024, 8192),
                                new HttpObjectAggregator(MAX_BODY),
                                new AdminHandler(AdminServer.this::handle, worker));
                    }
                });
        try {
            server = b.bind(config.host(), config.port()).sync().channel();
        } catch (Exception e) {
            worker.shutdownNow();
            if (e instanceof IOException || e instanceof ChannelException) {
                throw new BindException("cannot listen on " + config.address() + " (admin): " + e.getMessage());
            }
            throw e;
        }
        log.info("admin API and dashboard on {} ({})", url(), auth.hasToken()
                ? "changes need the token from " + config.tokenSource()
                : "read-only: no admin token is configured");
    }

    private CompletableFuture<ApiResponse> handle(ApiRequest r) {
        return api.handle(r);
    }

    private void sample() {
        try {
            sampler.tick(dispatcher.pools(), System.nanoTime());
        } catch (RuntimeException e) {
            log.warn("admin: sampling failed: {}", e.toString(), e);
        }
    }

    /** Where the listener is bound, its port resolved when configured as 0. */
    public InetSocketAddress boundAddress() {
        if (server == null) throw new IllegalStateException("admin listener not started");
        return (InetSocketAddress) server.localAddress();
    }

    /** The dashboard's URL, e.g. {@code http://127.0.0.1:9000/}. */
    public String url() {
        return "http://" + Addresses.of(boundAddress()) + "/";
    }

    /** A reload may rotate the token; address and port need a restart. */
    public void token(String token) {
        auth.token(token);
    }

    public Traffic traffic() {
        return traffic;
    }

    @Override
    public void close() {
        if (server != null) server.close().awaitUninterruptibly();
        connections.close().awaitUninterruptibly();
        worker.shutdownNow();
    }
}
