package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.switchboard.backend.Backend;
import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.RawServer;
import io.switchboard.proxy.demo.DemoBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * WebSocket through the proxy on real sockets: Netty's WebSocket client and server exchanging text
 * and a 1 MiB binary message, the tunnel in flight on its back end for least-conn, its idle timeout,
 * a reload and a graceful shutdown during an open tunnel; and what must not become a tunnel: a 200
 * answer, {@code Upgrade: h2c}, a handshake with a body, and bytes after the handshake that look
 * like a request.
 */
class WebSocketIT {
    private static final int MAX_FRAME = 2 << 20;
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** An echo server for text and binary frames on /ws; records the handshake heads it got. */
    private static final class EchoServer implements AutoCloseable {
        final List<FullHttpRequest> handshakes = new CopyOnWriteArrayList<>();
        final Channel server;

        EchoServer(ProxyFixture f) throws InterruptedException {
            server = new ServerBootstrap().group(f.group).channel(f.transport.serverChannel())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            if (msg instanceof FullHttpRequest r) handshakes.add(r.copy());
                                            ctx.fireChannelRead(msg);
                                        }
                                    },
                                    new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                            .websocketPath("/ws").decoderConfig(WebSocketDecoderConfig.newBuilder()
                                                    .maxFramePayloadLength(MAX_FRAME).build()).build()),
                                    new SimpleChannelInboundHandler<WebSocketFrame>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                                            if (frame instanceof TextWebSocketFrame t) {
                                                ctx.writeAndFlush(new TextWebSocketFrame("echo " + t.text()));
                                            } else if (frame instanceof BinaryWebSocketFrame) {
                                                ctx.writeAndFlush(frame.retainedDuplicate());
                                            }
                                        }
                                    });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
        }

        int port() {
            return ((InetSocketAddress) server.localAddress()).getPort();
        }

        @Override
        public void close() {
            server.close().syncUninterruptibly();
            for (FullHttpRequest r : handshakes) r.release();
        }
    }

    /** A WebSocket client on a real connection; received messages are Strings (text) or byte[] (binary). */
    private static final class Client implements AutoCloseable {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> handshake = new CompletableFuture<>();
        final Channel ch;

        Client(ProxyFixture f) throws Exception {
            URI uri = URI.create("ws://127.0.0.1:" + f.port() + "/ws");
            ch = new Bootstrap().group(f.group).channel(f.transport.channel())
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                    new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                            .webSocketUri(uri).maxFramePayloadLength(MAX_FRAME)
                                            .handshakeTimeoutMillis(10_000).build()),
                                    new SimpleChannelInboundHandler<WebSocketFrame>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                                            if (frame instanceof TextWebSocketFrame t) received.add(t.text());
                                            else if (frame instanceof BinaryWebSocketFrame) received.add(ByteBufUtil.getBytes(frame.content()));
                                        }

                                        @Override
                                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                                handshake.complete(null);
                                            } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                                                handshake.completeExceptionally(new IOException("handshake timed out"));
                                            }
                                            ctx.fireUserEventTriggered(evt);
                                        }
                                    });
                        }
                    }).connect("127.0.0.1", f.port()).sync().channel();
            handshake.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        String say(String text) throws InterruptedException {
            ch.writeAndFlush(new TextWebSocketFrame(text));
            return (String) received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        byte[] send(byte[] data) throws InterruptedException {
            ch.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(data)));
            return (byte[]) received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            ch.close().syncUninterruptibly();
        }
    }

    private static ServerConfig server(String name, int port) {
        return new ServerConfig(name, "127.0.0.1", port, 1, null);
    }

    @Test
    void messagesAndABigBinaryGoThroughTheTunnelWhichStaysInFlightUntilItCloses() throws Exception {
        try (ProxyFixture f = new ProxyFixture()) {
            f.algorithm = "least-conn";
            try (EchoServer echo = new EchoServer(f)) {
                f.start(List.of(server("ws", echo.port())));
                Backend b = f.pool.backend("ws");
                try (Client c = new Client(f)) {
                    for (int i = 0; i < 5; i++) assertThat(c.say("hello " + i)).isEqualTo("echo hello " + i);
                    byte[] big = new byte[1 << 20];
                    new Random(13).nextBytes(big);
                    assertThat(c.send(big)).as("1 MiB binary echoed").isEqualTo(big);
                    assertThat(b.inFlight()).as("the open tunnel is in flight on its back end").isEqualTo(1);
                    assertThat(echo.handshakes).hasSize(1);
                    assertThat(echo.handshakes.get(0).headers().get("Upgrade")).isEqualToIgnoringCase("websocket");
                    assertThat(echo.handshakes.get(0).headers().get("Connection")).containsIgnoringCase("upgrade");
                }
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(b.inFlight()).isZero();
                    assertThat(f.accessLog).singleElement().satisfies(r -> {
                        assertThat(r.status()).isEqualTo(101);
                        assertThat(r.bytesIn()).isGreaterThan(1 << 20);
                        assertThat(r.bytesOut()).isGreaterThan(1 << 20);
                        assertThat(r.cause()).contains("closed the tunnel"); // the client sends a close frame: either side may close first
                    });
                });
            }
        }
    }

    @Test
    void anIdleTunnelIsClosedAfterTheTunnelIdleTimeout() throws Exception {
        try (ProxyFixture f = new ProxyFixture()) {
            f.tunnelIdle = Duration.ofMillis(300);
            try (EchoServer echo = new EchoServer(f)) {
                f.start(List.of(server("ws", echo.port())));
                try (Client c = new Client(f)) {
                    assertThat(c.say("before")).isEqualTo("echo before");
                    assertThat(c.ch.closeFuture().await(WAIT.toMillis())).as("closed by the proxy").isTrue();
                }
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(f.pool.backend("ws").inFlight()).isZero();
                    assertThat(f.accessLog).singleElement().satisfies(r -> assertThat(r.cause()).contains("idle"));
                });
            }
        }
    }

    @Test
    void aReloadDoesNotTouchAnOpenTunnel() throws Exception {
        try (ProxyFixture f = new ProxyFixture()) {
            try (EchoServer echo = new EchoServer(f)) {
                f.start(List.of(server("ws", echo.port())));
                try (Client c = new Client(f)) {
                    assertThat(c.say("one")).isEqualTo("echo one");
                    f.proxy.update(f.config, Map.of("app", f.pool));
                    assertThat(c.say("two")).isEqualTo("echo two");
                    assertThat(c.ch.isActive()).isTrue();
                    try (Client other = new Client(f)) {
                        assertThat(other.say("three")).isEqualTo("echo three");
                    }
                }
            }
        }
    }

    @Test
    void gracefulShutdownLetsATunnelWorkUntilTheEndOfTheGracePeriod() throws Exception {
        try (ProxyFixture f = new ProxyFixture()) {
            try (EchoServer echo = new EchoServer(f)) {
                f.start(List.of(server("ws", echo.port())));
                try (Client c = new Client(f)) {
                    assertThat(c.say("before")).isEqualTo("echo before");
                    CompletableFuture<Boolean> clean = CompletableFuture.supplyAsync(() -> f.proxy.shutdownGracefully(Duration.ofSeconds(5)));
                    await().atMost(WAIT).until(() -> f.proxy.state().draining());
                    assertThat(c.say("during")).as("the tunnel still works while draining").isEqualTo("echo during");
                    assertThat(c.ch.closeFuture().await(WAIT.toMillis())).as("closed at the end of the grace").isTrue();
                    assertThat(clean.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the tunnel was still open at the end").isFalse();
                }
            }
        }
    }

    private static final String HANDSHAKE = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

    @Test
    void aBackEndAnsweringTwoHundredGivesAnOrdinaryResponseAndTheConnectionStaysHttp() throws Exception {
        try (ProxyFixture f = new ProxyFixture()) {
            f.backends("plain").start();
            DemoBackend plain = f.backends.get(0);
            // The second request comes in the same write as the handshake: it is held until the
            // answer shows there is no tunnel, then served as the next request.
            String got = f.raw(HANDSHAKE + "GET /second HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", Duration.ofSeconds(10));
            assertThat(got).startsWith("HTTP/1.1 200 ");
            assertThat(got.split("HTTP/1.1 200 ", -1)).as("two responses").hasSize(3);
            assertThat(got).doesNotContainIgnoringCase("upgrade: websocket");
            assertThat(plain.requests()).hasSize(2);
            assertThat(plain.requests().get(0).headers().get("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(plain.requests().get(1).uri()).isEqualTo("/second");
            await().atMost(WAIT).untilAsserted(() -> assertThat(f.pool.backend("plain").inFlight()).isZero());
        }
    }

    @Test
    void aHandshakeAnsweredByTheProxyItselfLeavesTheConnectionHttp() throws Exception {
        try (ProxyFixture f = new ProxyFixture()) {
            f.routes = List.of(new RouteConfig("no-ws", new RouteConfig.Match.Builder().pathPrefix("/ws").build(),
                    RouteAction.Respond.deny()));
            f.backends("plain").start();
            // The deny is answered while the decoder still has the next request in the same read.
            String got = f.raw(HANDSHAKE + "GET /second HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", Duration.ofSeconds(10));
            assertThat(got).startsWith("HTTP/1.1 403 ").contains("HTTP/1.1 200 ").endsWith("plain\n");
            assertThat(f.backends.get(0).requests()).singleElement().satisfies(r -> assertThat(r.uri()).isEqualTo("/second"));
        }
    }

    @Test
    void aSwitchToAnotherProtocolThanWebSocketIsABadResponse() throws Exception {
        try (RawServer h2c = RawServer.answering(socket -> {
                    readHead(socket.getInputStream());
                    socket.getOutputStream().write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    socket.getInputStream().read(); // until the proxy closes
                });
             ProxyFixture f = new ProxyFixture()) {
            f.retries = 0;
            f.start(List.of(server("h2c", h2c.port())));
            String got = f.raw(HANDSHAKE.replace("Connection: Upgrade", "Connection: Upgrade, close"), Duration.ofSeconds(10));
            assertThat(got).startsWith("HTTP/1.1 502 ").doesNotContainIgnoringCase("upgrade");
            await().atMost(WAIT).untilAsserted(() -> assertThat(f.pool.backend("h2c").inFlight()).isZero());
        }
    }

    @Test
    void otherUpgradesAndAHandshakeWithABodyAreForwardedWithoutUpgrade() throws Exception {
        try (ProxyFixture f = new ProxyFixture()) {
            f.backends("plain").start();
            DemoBackend plain = f.backends.get(0);
            String h2c = f.raw("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                    + "HTTP2-Settings: AAMAAABkAAQAAP__\r\nConnection: close\r\n\r\n", Duration.ofSeconds(10));
            String withBody = f.raw("POST /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\n"
                    + "Content-Length: 5\r\n\r\nhello", Duration.ofSeconds(10));
            String listed = f.raw("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, close\r\nUpgrade: websocket, h2c\r\n\r\n",
                    Duration.ofSeconds(10));
            assertThat(List.of(h2c, withBody, listed)).allSatisfy(r -> assertThat(r).startsWith("HTTP/1.1 200 "));
            assertThat(plain.requests()).hasSize(3).allSatisfy(r -> {
                assertThat(r.headers().get("Upgrade")).isNull();
                assertThat(r.headers().get("HTTP2-Settings")).isNull();
                assertThat(r.headers().get("Connection")).isNull();
            });
        }
    }

    /** A head up to its blank line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int i = 0; i < 16 * 1024 && matched < 4; i++) {
            int c = in.read();
            if (c < 0) break;
            head.write(c);
            matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void bytesAfterTheHandshakeAreTunnelDataNotARequest() throws Exception {
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
        List<String> heads = new CopyOnWriteArrayList<>();
        List<String> tunnelData = new CopyOnWriteArrayList<>();
        try (RawServer ws = RawServer.answering(socket -> {
                    InputStream in = socket.getInputStream();
                    heads.add(readHead(in));
                    OutputStream out = socket.getOutputStream();
                    out.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    String data = new String(in.readNBytes(smuggled.length()), StandardCharsets.ISO_8859_1);
                    tunnelData.add(data);
                    out.write(("got:" + data).getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                });
             ProxyFixture f = new ProxyFixture()) {
            f.start(List.of(server("raw", ws.port())));
            String got = f.raw(HANDSHAKE + smuggled, Duration.ofSeconds(10));
            assertThat(got).startsWith("HTTP/1.1 101 ").containsIgnoringCase("upgrade: websocket").endsWith("got:" + smuggled);
            assertThat(ws.accepted()).isEqualTo(1);
            assertThat(heads).singleElement().asString().startsWith("GET /ws HTTP/1.1\r\n");
            assertThat(tunnelData).containsExactly(smuggled);
            await().atMost(WAIT).untilAsserted(() -> assertThat(f.accessLog).singleElement()
                    .satisfies(r -> assertThat(r.uri()).isEqualTo("/ws")));
            assertThat(f.accessLog).extracting(AccessRecord::uri).doesNotContain("/smuggled");
        }
    }
}
