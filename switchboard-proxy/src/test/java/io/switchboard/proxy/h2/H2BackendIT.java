package io.switchboard.proxy.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.config.BackendProtocol;
import io.switchboard.config.BackendTlsConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.DebianPeer;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.tls.TestCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/1.1 clients through Switchboard to a pool with {@code protocol: h2}, whose back end is a Netty
 * HTTP/2 server in this test (h2c, prior knowledge): bodies both ways, trailers to a chunked response,
 * one connection for many exchanges, a GOAWAY, and a dead back end retried elsewhere.
 */
class H2BackendIT {
    private final EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    /** Streams of "/hold" waiting for the test to let them answer. */
    private final Queue<ChannelHandlerContext> held = new ConcurrentLinkedQueue<>();
    /** The server's SETTINGS_MAX_CONCURRENT_STREAMS; 0: Netty's default. */
    private int maxStreams;
    private Channel server;
    private ProxyFixture f;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
        if (server != null) server.close().syncUninterruptibly();
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private int startServer() throws InterruptedException {
        return startServer(null);
    }

    /** @param tls the server's TLS context; null: h2c */
    private int startServer(SslContext tls) throws InterruptedException {
        server = new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.closeFuture().addListener(x -> closed.incrementAndGet());
                        if (tls != null) ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        Http2Settings settings = Http2Settings.defaultSettings();
                        if (maxStreams > 0) settings.maxConcurrentStreams(maxStreams);
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings).build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel s) {
                                        s.pipeline().addLast(new Answer(held));
                                    }
                                }));
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private ProxyFixture proxyTo(int... ports) throws Exception {
        if (f == null) f = new ProxyFixture();
        f.protocol = BackendProtocol.H2;
        List<ServerConfig> servers = new ArrayList<>();
        for (int i = 0; i < ports.length; i++) servers.add(new ServerConfig("h2-" + i, "127.0.0.1", ports[i], 1, null));
        return f.start(servers);
    }

    /** One stream of the test back end: answers by path once the request has ended. */
    private static final class Answer extends ChannelInboundHandlerAdapter {
        private final Queue<ChannelHandlerContext> held;
        private Http2Headers request;
        private long bodyBytes;

        Answer(Queue<ChannelHandlerContext> held) {
            this.held = held;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean end = false;
            if (msg instanceof Http2HeadersFrame h) {
                if (request == null) request = h.headers();
                end = h.isEndStream();
            } else if (msg instanceof Http2DataFrame d) {
                bodyBytes += d.content().readableBytes();
                end = d.isEndStream();
            }
            ReferenceCountUtil.release(msg);
            if (end) answer(ctx);
        }

        private void answer(ChannelHandlerContext ctx) {
            String path = request.path().toString();
            switch (path.startsWith("/hold?") ? "/hold" : path) {
                case "/trailers" -> {
                    ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200").set("content-type", "text/plain")));
                    ctx.write(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("part one\n", StandardCharsets.US_ASCII)));
                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("x-checksum", "abc123"), true));
                }
                case "/echo" -> body(ctx, request.method() + " " + bodyBytes + " bytes, te " + request.get("te")
                        + ", authority " + request.authority() + "\n");
                case "/hold" -> held.add(ctx);
                case "/reset" -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
                case "/goaway" -> {
                    body(ctx, "going away\n");
                    ctx.channel().parent().writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
                }
                default -> body(ctx, "hello from h2\n");
            }
        }

        static void body(ChannelHandlerContext ctx, String text) {
            byte[] b = text.getBytes(StandardCharsets.US_ASCII);
            ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                    .setInt("content-length", b.length).set("content-type", "text/plain")));
            ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(b), true));
        }
    }

    @Test
    void http1ClientGetsTheH2BackEndsBodyOnOneConnection() throws Exception {
        proxyTo(startServer());
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = f.get("/hello");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello from h2\n");
        }
        // Five exchanges from one client connection (one event loop): five streams on one HTTP/2 connection.
        assertThat(connections.get()).isEqualTo(1);
    }

    @Test
    void requestBodyGoesAsDataWithTeTrailers() throws Exception {
        proxyTo(startServer());
        byte[] body = new byte[100_000];
        HttpResponse<String> r = f.client().send(HttpRequest.newBuilder(f.uri("/echo")).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("POST 100000 bytes, te trailers, authority 127.0.0.1:" + f.port() + "\n");
    }

    @Test
    void trailersReachAnHttp1ClientAsChunkedTrailers() throws Exception {
        proxyTo(startServer());
        String resp = f.raw("GET /trailers HTTP/1.1\r\nHost: example.test\r\nTE: trailers\r\nConnection: close\r\n\r\n",
                Duration.ofSeconds(10));
        assertThat(resp).startsWith("HTTP/1.1 200 ");
        assertThat(resp.toLowerCase()).contains("transfer-encoding: chunked\r\n");
        assertThat(resp).contains("part one\n");
        assertThat(resp).endsWith("0\r\nx-checksum: abc123\r\n\r\n");
    }

    @Test
    void afterAGoAwayTheNextExchangeOpensANewConnection() throws Exception {
        proxyTo(startServer());
        assertThat(f.get("/goaway").body()).isEqualTo("going away\n");
        assertThat(f.get("/hello").body()).isEqualTo("hello from h2\n");
        assertThat(connections.get()).isEqualTo(2);
    }

    @Test
    void tlsWithAlpnH2(@TempDir Path dir) throws Exception {
        TestCertificates certs = new TestCertificates(dir).ec("b", "internal.test");
        f = new ProxyFixture();
        f.backendTls = new BackendTlsConfig(certs.ca(), "internal.test", true);
        proxyTo(startServer(serverTls(certs, ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)));
        for (int i = 0; i < 3; i++) assertThat(f.get("/hello").body()).isEqualTo("hello from h2\n");
        assertThat(connections.get()).isEqualTo(1);
    }

    @Test
    void aTlsBackEndThatDoesNotAgreeToH2IsAFailedConnect(@TempDir Path dir) throws Exception {
        TestCertificates certs = new TestCertificates(dir).ec("b", "internal.test");
        f = new ProxyFixture();
        f.backendTls = new BackendTlsConfig(certs.ca(), "internal.test", true);
        proxyTo(startServer(serverTls(certs, ApplicationProtocolNames.HTTP_1_1)));
        HttpResponse<String> r = f.get("/hello");
        assertThat(r.statusCode()).isEqualTo(503);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(f.accessLog).hasSize(1));
        assertThat(f.accessLog.get(0).cause()).contains("did not agree to h2");
    }

    private static SslContext serverTls(TestCertificates certs, String... alpn) throws Exception {
        return SslContextBuilder.forServer(certs.cert("b").toFile(), certs.key("b").toFile())
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
                .build();
    }

    /**
     * The back end allows one stream per connection; two requests on one client connection (so on one
     * event loop) are held by the back end until both arrived: the second needs a second connection.
     */
    @Test
    void aSecondConnectionWhenTheFirstHasAsManyStreamsAsAllowed() throws Exception {
        DebianPeer.require("nghttp", "nghttp2-client");
        maxStreams = 1;
        proxyTo(startServer());
        // A connection on each of the proxy's two event loops (client connections take them in turn, but
        // where the turn starts is not ours to know),
        // so whichever nghttp's lands on already knows the back end's SETTINGS when the two requests come.
        for (int i = 0; i < 10 && connections.get() < 2; i++) {
            assertThat(f.raw("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Duration.ofSeconds(10))).endsWith("hello from h2\n");
        }
        assertThat(connections.get()).isEqualTo(2);
        String url = "http://127.0.0.1:" + f.port() + "/hold?";
        CompletableFuture<DebianPeer.Result> nghttp = CompletableFuture.supplyAsync(() -> {
            try {
                // nghttp sends both requests as streams of one connection (so on one event loop of ours).
                return DebianPeer.run(List.of("nghttp", "-t", "20", url + "a", url + "b"), 30);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> held.size() == 2);
        assertThat(connections.get()).isEqualTo(3);
        for (ChannelHandlerContext ctx : held) ctx.executor().execute(() -> Answer.body(ctx, "released\n"));
        DebianPeer.Result r = nghttp.get(30, TimeUnit.SECONDS);
        assertThat(r.exit()).isZero();
        assertThat(r.output().split("released\n", -1)).hasSize(3); // both answers
    }

    @Test
    void aStreamResetBeforeTheResponseIsAFailureOfTheBackEnd() throws Exception {
        proxyTo(startServer());
        HttpResponse<String> r = f.get("/reset");
        assertThat(r.statusCode()).isBetween(502, 503);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(f.accessLog).hasSize(1));
        assertThat(f.accessLog.get(0).cause()).contains("before response");
        assertThat(f.get("/hello").body()).isEqualTo("hello from h2\n"); // the connection still serves
        assertThat(connections.get()).isEqualTo(1);
    }

    @Test
    void aConnectionWithoutStreamsIsClosedAfterTheBackEndIdleTimeout() throws Exception {
        f = new ProxyFixture();
        f.backendIdle = Duration.ofMillis(300);
        proxyTo(startServer());
        assertThat(f.get("/hello").body()).isEqualTo("hello from h2\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> closed.get() == 1);
        assertThat(f.get("/hello").body()).isEqualTo("hello from h2\n");
        assertThat(connections.get()).isEqualTo(2);
    }

    @Test
    void aDeadBackEndIsAFailedConnectRetriedElsewhere() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        proxyTo(dead, startServer());
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = f.get("/hello");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello from h2\n");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(f.accessLog).hasSize(4));
        assertThat(f.accessLog).extracting(AccessRecord::retries).anyMatch(n -> n > 0);
        assertThat(f.accessLog).extracting(AccessRecord::backend).allMatch(b -> b.contains("h2-1"));
    }
}
