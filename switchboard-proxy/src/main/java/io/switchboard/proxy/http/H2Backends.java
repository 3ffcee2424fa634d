package io.switchboard.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.switchboard.backend.Backend;
import io.switchboard.config.BackendTlsConfig;
import io.switchboard.proxy.tls.BackendTls;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/2 connections of one event loop to the back ends of {@code protocol: h2} pools: one per
 * back end, another only while the ones there are have as many streams open as the back end allows
 * (SETTINGS_MAX_CONCURRENT_STREAMS), or are going away. Each exchange gets a new stream, whose
 * channel's pipeline is {@link H2ClientBridge}, {@link Http1Decoder#forResponses} and a {@link
 * BackendHandler}, so the exchange drives it as it drives an HTTP/1.1 connection. Streams are never
 * reused; the connection stays open for the next ones and is closed after the pool's back-end idle
 * timeout without streams.
 *
 * <p>Failures look like their HTTP/1.1 counterparts to the exchange: a connection that cannot be
 * opened (refused, timed out, TLS handshake or ALPN refused) fails the stream's connect future; a
 * connection that dies or a GOAWAY that covers a stream closes the stream's channel (closed before the
 * response, or mid-response). A GOAWAY makes the connection take no new streams.
 *
 * <p>Threading: confined to its event loop, like the {@link BackendConnections} that owns it.
 */
final class H2Backends {
    private static final Logger log = LoggerFactory.getLogger(H2Backends.class);

    private final BackendConnections owner;
    private final Map<Backend, List<Conn>> conns = new IdentityHashMap<>();
    private long opened;

    H2Backends(BackendConnections owner) {
        this.owner = owner;
    }

    /**
     * A new stream to the back end, on a connection opened with these TLS settings (null: h2c with prior
     * knowledge). The future's channel is the stream's; it completes once the connection is up (at once
     * when one is).
     */
    ChannelFuture stream(Backend backend, InetSocketAddress addr, long connectTimeoutMillis, long idleTimeoutMillis,
                         BackendTlsConfig tls) {
        Conn c = usable(backend, tls);
        if (c == null) {
            c = open(backend, addr, connectTimeoutMillis, idleTimeoutMillis, tls);
            conns.computeIfAbsent(backend, b -> new ArrayList<>(1)).add(c);
        }
        Conn conn = c;
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
        Future<Http2StreamChannel> f = new Http2StreamChannelBootstrap(conn.channel)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        Http1Decoder decoder = Http1Decoder.forResponses(BackendConnections.RESPONSE_LIMITS);
                        ch.pipeline().addLast("h2", new H2ClientBridge(tls == null ? "http" : "https"));
                        ch.pipeline().addLast("decoder", decoder);
                        ch.pipeline().addLast("backend", new BackendHandler(owner, backend, decoder, idleNanos));
                    }
                }).open();
        // On the connection's loop the stream channel is made and registered at once.
        if (!f.isDone()) throw new IllegalStateException("an HTTP/2 stream must be opened on its connection's event loop");
        if (!f.isSuccess()) return conn.channel.newFailedFuture(f.cause());
        Http2StreamChannel s = f.getNow();
        conn.streams++;
        s.closeFuture().addListener(x -> conn.streamClosed(owner.timers().now()));
        ChannelPromise p = s.newPromise();
        conn.ready.addListener((ChannelFutureListener) r -> {
            if (r.isSuccess()) {
                p.trySuccess();
            } else {
                p.tryFailure(r.cause());
                s.close();
            }
        });
        return p;
    }

    /** A connection to the back end that takes another stream, or null. */
    private Conn usable(Backend backend, BackendTlsConfig tls) {
        List<Conn> list = conns.get(backend);
        if (list == null) return null;
        for (Conn c : list) {
            if (!c.channel.isOpen() || c.goingAway() || !Objects.equals(c.tls, tls)) continue;
            if (c.streams < c.maxStreams()) return c;
        }
        return null;
    }

    private Conn open(Backend backend, InetSocketAddress addr, long connectTimeoutMillis, long idleTimeoutMillis,
                      BackendTlsConfig tls) {
        opened++;
        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                // Streams beyond the back end's limit wait for a slot instead of failing.
                .encoderEnforceMaxConcurrentStreams(true)
                .build();
        Conn conn = new Conn(backend, tls, codec, TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis));
        Bootstrap b = owner.bootstrap(connectTimeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            SslHandler ssl = BackendTls.h2Handler(tls, ch.alloc(), backend.host(), backend.port());
                            ssl.setHandshakeTimeoutMillis(Math.max(1, connectTimeoutMillis));
                            ch.pipeline().addLast("tls", ssl);
                        }
                        ch.pipeline().addLast("h2", codec);
                        // The back end may not open streams (push is off): none is ever accepted.
                        ch.pipeline().addLast("h2-streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void handlerAdded(ChannelHandlerContext ctx) {
                                ctx.channel().close();
                            }
                        }));
                        ch.pipeline().addLast("h2-backend", conn);
                    }
                });
        ChannelFuture connected = b.connect(addr != null ? addr : InetSocketAddress.createUnresolved(backend.host(), backend.port()));
        conn.channel = connected.channel();
        conn.ready = conn.channel.newPromise();
        connected.addListener((ChannelFutureListener) c -> {
            if (!c.isSuccess()) {
                conn.ready.tryFailure(c.cause());
                return;
            }
            if (tls == null) {
                conn.ready.trySuccess();
                return;
            }
            SslHandler ssl = c.channel().pipeline().get(SslHandler.class);
            ssl.handshakeFuture().addListener(h -> {
                if (!h.isSuccess()) {
                    conn.ready.tryFailure(new BackendTls.HandshakeFailed(h.cause()));
                    c.channel().close();
                } else if (!ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                    conn.ready.tryFailure(new BackendTls.HandshakeFailed(new SSLHandshakeException(
                            "the back end did not agree to h2 by ALPN (it chose " + ssl.applicationProtocol() + ")")));
                    c.channel().close();
                } else {
                    conn.ready.trySuccess();
                }
            });
        });
        conn.channel.closeFuture().addListener(x -> forget(conn));
        return conn;
    }

    private void forget(Conn c) {
        List<Conn> list = conns.get(c.backend);
        if (list == null) return;
        list.remove(c);
        if (list.isEmpty()) conns.remove(c.backend);
    }

    /** Closes connections without streams for longer than their pool's back-end idle timeout; on the tick. */
    void closeIdle(long now) {
        if (conns.isEmpty()) return;
        List<Conn> expired = null;
        for (List<Conn> list : conns.values()) {
            for (Conn c : list) {
                if (c.streams == 0 && now - c.idleSince > c.idleTimeoutNanos) {
                    if (expired == null) expired = new ArrayList<>();
                    expired.add(c);
                }
            }
        }
        if (expired != null) for (Conn c : expired) c.channel.close(); // the close future forgets it
    }

    /** Connections without a stream (they keep the loop's tick running to be closed when idle). */
    int idleCount() {
        int n = 0;
        for (List<Conn> list : conns.values()) {
            for (Conn c : list) if (c.streams == 0) n++;
        }
        return n;
    }

    /** Connections open or opening. */
    int connectionCount() {
        int n = 0;
        for (List<Conn> list : conns.values()) n += list.size();
        return n;
    }

    long opened() {
        return opened;
    }

    /**
     * One HTTP/2 connection to a back end: the last handler of its pipeline, where the frames that
     * belong to no stream arrive (SETTINGS, PING, GOAWAY).
     */
    private final class Conn extends ChannelInboundHandlerAdapter {
        final Backend backend;
        final BackendTlsConfig tls;
        final Http2FrameCodec codec;
        final long idleTimeoutNanos;
        Channel channel;
        /** Succeeds when streams can be opened (connected; with TLS, handshake done and h2 agreed). */
        ChannelPromise ready;
        int streams;
        long idleSince;
        boolean goAway;

        Conn(Backend backend, BackendTlsConfig tls, Http2FrameCodec codec, long idleTimeoutNanos) {
            this.backend = backend;
            this.tls = tls;
            this.codec = codec;
            this.idleTimeoutNanos = idleTimeoutNanos;
        }

        /** The back end's SETTINGS_MAX_CONCURRENT_STREAMS (unbounded until its SETTINGS came). */
        int maxStreams() {
            return codec.connection().local().maxActiveStreams();
        }

        boolean goingAway() {
            return goAway || codec.connection().goAwayReceived() || codec.connection().goAwaySent();
        }

        void streamClosed(long now) {
            streams--;
            if (streams == 0 && goAway) {
                channel.close();
            } else if (streams == 0) {
                idleSince = now;
                owner.timers().ensureTicking();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame g) {
                log.debug("HTTP/2 connection to {}: GOAWAY {} after stream {}", backend.name(), g.errorCode(), g.lastStreamId());
                // The streams it covers are closed by the codec; no new one goes here.
                goAway = true;
                forget(this);
                if (streams == 0) ctx.close();
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("HTTP/2 connection to {} failed: {}", backend.name(), cause.toString());
            if (ready != null) ready.tryFailure(cause);
            ctx.close();
        }
    }
}
