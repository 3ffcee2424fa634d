package io.switchboard.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.switchboard.backend.Backend;
import io.switchboard.config.BackendTlsConfig;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.resolve.HostResolver;
import io.switchboard.proxy.resolve.LoopResolver;
import io.switchboard.proxy.tls.BackendTls;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to back ends, for one event loop (seed 000: the master-to-slave connection
 * is not torn down and rebuilt for each request).
 *
 * <p>Threading: confined to its event loop. Front-end channels of this loop only ever borrow from
 * this instance, so back-end channels live on their front end's loop and nothing is handed across
 * threads. A connection enters the pool only after its response was read completely; a broken one
 * is closed, never offered. Idle connections are closed after the pool's back-end idle timeout by the
 * loop's {@link ConnectionTimers} tick (no timer or handler per connection), and idle connections keep
 * reading so a close by the back end is noticed at once, not by the next request.
 *
 * <p>Pools with {@code protocol: h2} get a new HTTP/2 stream per exchange instead ({@link H2Backends},
 * owned here, on the same loop and tick); a stream is never offered to the idle pool: it is closed.
 *
 * <p>A connection that began with a PROXY protocol header ({@code send-proxy}) speaks for one client
 * only: it is never offered to the idle pool either (HAProxy keeps such connections private to their
 * client connection; not pooling them at all is the simplest rule that is always right).
 */
public final class BackendConnections {
    static final int MAX_RESPONSE_HEADER = 64 * 1024;
    /** What a back end may send: an 8 kB status line, 64 kB of header, any number of fields. */
    static final HeadParser.Limits RESPONSE_LIMITS = new HeadParser.Limits(8192, MAX_RESPONSE_HEADER, Integer.MAX_VALUE);

    /** The pool TLS settings a connection was opened with (null: plain text), so a reload that changes them is not served by an old connection. */
    private static final AttributeKey<BackendTlsConfig> TLS = AttributeKey.valueOf("switchboard.backendTls");
    /** Set on a connection that began with a PROXY protocol header: it carries one client's address, so it is never pooled. */
    private static final AttributeKey<Boolean> ONE_CLIENT = AttributeKey.valueOf("switchboard.proxyHeaderSent");

    private final EventLoop loop;
    private final Transport transport;
    private final Map<Backend, ArrayDeque<Channel>> idle = new IdentityHashMap<>();
    private final HostResolver resolvers;
    private LoopResolver resolver;  // made on the first connect (not every loop connects anywhere)
    private long opened;
    private final ConnectionTimers timers;
    private final H2Backends h2;

    public BackendConnections(EventLoop loop, Transport transport, HostResolver resolvers) {
        this.loop = loop;
        this.transport = transport;
        this.resolvers = resolvers;
        this.timers = new ConnectionTimers(loop, this);
        this.h2 = new H2Backends(this);
    }

    HostResolver resolvers() {
        return resolvers;
    }

    /** The timeouts of this loop's client connections (they share the tick with idle back-end connections). */
    ConnectionTimers timers() {
        return timers;
    }

    /** An idle, open connection to the back end, or null. */
    Channel poll(Backend backend) {
        return poll(backend, null);
    }

    /** An idle, open connection to the back end opened with these TLS settings (null: plain text), or null. */
    Channel poll(Backend backend, BackendTlsConfig tls) {
        ArrayDeque<Channel> q = idle.get(backend);
        if (q == null) return null;
        Channel ch;
        while ((ch = q.pollLast()) != null) { // LIFO: the warmest connection, let the others time out
            if (!ch.isActive()) continue;
            if (moved(backend, ch) || !openedWith(ch, tls)) {
                ch.close();
                continue;
            }
            return ch;
        }
        return null;
    }

    /** Whether the connection was opened with these TLS settings; a plain-text pool's connection carries none (no lookup cost). */
    private static boolean openedWith(Channel ch, BackendTlsConfig tls) {
        return tls == null ? !ch.hasAttr(TLS) : ch.hasAttr(TLS) && tls.equals(ch.attr(TLS).get());
    }

    /**
     * Whether the back end's name now resolves elsewhere than where this pooled connection goes:
     * then it is closed, so keep-alive does not pin traffic to an old address. An expired answer is
     * looked up again in the background while the connection is still used.
     */
    private boolean moved(Backend backend, Channel ch) {
        if (resolver == null) return false;
        InetSocketAddress now = resolver.cached(backend);
        if (now == null) {
            resolver.resolve(backend.host());
            return false;
        }
        return !now.equals(ch.remoteAddress());
    }

    /** Returns a connection whose exchange completed cleanly; closes it if the pool is full. */
    void offer(Backend backend, Channel ch, BackendHandler handler, int maxIdle) {
        if (!ch.isActive()) return;
        if (ch instanceof Http2StreamChannel || ch.hasAttr(ONE_CLIENT)) { // a stream is never reused; its connection stays
            ch.close();
            return;
        }
        ArrayDeque<Channel> q = idle.computeIfAbsent(backend, b -> new ArrayDeque<>());
        if (q.size() >= maxIdle) {
            ch.close();
            return;
        }
        q.addLast(ch);
        handler.idleSince(timers.now());
        timers.ensureTicking();
        // Keep reading while idle so a close by the back end is noticed at once, not by the next request.
        if (!ch.config().isAutoRead()) ch.config().setAutoRead(true);
    }

    void forget(Backend backend, Channel ch) {
        ArrayDeque<Channel> q = idle.get(backend);
        if (q != null) {
            q.remove(ch);
            if (q.isEmpty()) idle.remove(backend);
        }
    }

    /** Closes pooled connections idle for longer than their pool's back-end idle timeout; on the tick. */
    void closeIdle(long now) {
        h2.closeIdle(now);
        if (idle.isEmpty()) return;
        List<Channel> expired = null;
        for (ArrayDeque<Channel> q : idle.values()) {
            for (Channel ch : q) {
                BackendHandler bh = (BackendHandler) ch.pipeline().get("backend");
                if (bh == null || bh.idleExpired(now)) {
                    if (expired == null) expired = new ArrayList<>();
                    expired.add(ch);
                }
            }
        }
        if (expired != null) for (Channel ch : expired) ch.close(); // channelInactive forgets it
    }

    /**
     * A client bootstrap for a connection to a back end from this loop, with the options every back-end
     * connection has (HTTP/1.1, HTTP/2, any later kind); the caller adds the handler.
     */
    Bootstrap bootstrap(long connectTimeoutMillis) {
        return new Bootstrap()
                .group(loop)
                .channel(transport.channel())
                .resolver(resolvers) // else the name is looked up on this loop, never blocking it, then connected to
                .option(ChannelOption.AUTO_READ, true)
                // The allocator of the client side too: buffers cross between the two channels, and
                // the pooled allocator's thread caches beat the adaptive default here (bench/RESULTS.md).
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                // TCP_NODELAY is already the channel's default (see ProxyServer)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeoutMillis)));
    }

    /** Opens a new connection with the back-end pipeline installed. */
    ChannelFuture connect(Backend backend, long connectTimeoutMillis, long idleTimeoutMillis) {
        return connect(backend, connectTimeoutMillis, idleTimeoutMillis, null);
    }

    /**
     * Opens a new connection with the back-end pipeline installed, behind a TLS client when {@code tls}
     * is not null: then the future completes after the handshake, and a failed handshake fails it with
     * {@link BackendTls.HandshakeFailed} (a failed connect to the caller).
     */
    ChannelFuture connect(Backend backend, long connectTimeoutMillis, long idleTimeoutMillis, BackendTlsConfig tls) {
        return connect(backend, connectTimeoutMillis, idleTimeoutMillis, tls, (ChannelHandler) null);
    }

    /**
     * As above, with {@code first} (a PROXY header sender, ProxyHeader.sender; null:
     * none) first in the pipeline: a connection opened with one is never pooled.
     */
    ChannelFuture connect(Backend backend, long connectTimeoutMillis, long idleTimeoutMillis, BackendTlsConfig tls,
                          ChannelHandler first) {
        // An IP literal's address, or a name's while its TTL lasts: no lookup, one map lookup (LoopResolver).
        if (resolver == null) resolver = resolvers.on(loop);
        InetSocketAddress addr = resolver.cached(backend);
        opened++;
        Bootstrap b = bootstrap(connectTimeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (first != null) {
                            ch.attr(ONE_CLIENT).set(Boolean.TRUE);
                            ch.pipeline().addLast("proxy-header", first);
                        }
                        if (tls != null) {
                            ch.attr(TLS).set(tls);
                            SslHandler ssl = BackendTls.handler(tls, ch.alloc(), backend.host(), backend.port());
                            ssl.setHandshakeTimeoutMillis(Math.max(1, connectTimeoutMillis));
                            ch.pipeline().addLast("tls", ssl);
                        }
                        Http1Decoder decoder = Http1Decoder.forResponses(RESPONSE_LIMITS);
                        ch.pipeline().addLast("decoder", decoder);
                        ch.pipeline().addLast("backend", new BackendHandler(BackendConnections.this, backend, decoder,
                                TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis)));
                    }
                });
        ChannelFuture connected = b.connect(addr != null ? addr : InetSocketAddress.createUnresolved(backend.host(), backend.port()));
        return tls == null ? connected : afterHandshake(connected);
    }

    /**
     * Opens a connection with the pool's protocol: for {@code h2}, a new stream on an HTTP/2 connection
     * to the back end ({@link H2Backends}); its channel's pipeline ends as an HTTP/1.1 connection's does.
     */
    ChannelFuture connect(Backend backend, long connectTimeoutMillis, long idleTimeoutMillis, BackendTlsConfig tls, boolean h2) {
        if (!h2) return connect(backend, connectTimeoutMillis, idleTimeoutMillis, tls);
        if (resolver == null) resolver = resolvers.on(loop);
        return this.h2.stream(backend, resolver.cached(backend), connectTimeoutMillis, idleTimeoutMillis, tls);
    }

    private static ChannelFuture afterHandshake(ChannelFuture connected) {
        Channel ch = connected.channel();
        ChannelPromise done = ch.newPromise();
        connected.addListener((ChannelFutureListener) c -> {
            if (!c.isSuccess()) {
                done.tryFailure(c.cause());
                return;
            }
            ch.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    done.trySuccess();
                } else {
                    done.tryFailure(new BackendTls.HandshakeFailed(h.cause()));
                    ch.close();
                }
            });
        });
        return done;
    }

    /** Connections opened: HTTP/1.1 connections and HTTP/2 connections (not streams). */
    public long opened() { return opened + h2.opened(); }

    /** Idle connections: pooled HTTP/1.1 connections and HTTP/2 connections without streams. */
    public int idleCount() {
        int n = h2.idleCount();
        for (ArrayDeque<Channel> q : idle.values()) n += q.size();
        return n;
    }
}
