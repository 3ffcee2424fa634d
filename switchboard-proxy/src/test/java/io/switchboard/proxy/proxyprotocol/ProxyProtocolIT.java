package io.switchboard.proxy.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.switchboard.config.Cidr;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.ProxyProtocolConfig;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.config.ServerConfig;
import io.switchboard.proxy.ListenerCounters;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.RawHttp;
import io.switchboard.proxy.RawServer;
import io.switchboard.proxy.probe.NoLeaksExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol on a real listener and toward a real (socket) back end: the carried client in
 * X-Forwarded-For, the access log, allow/deny and per-IP limits; refusals closed and counted; the
 * header sent to back ends, first on connections that are never pooled.
 */
@ExtendWith(NoLeaksExtension.class)
class ProxyProtocolIT {
    private static final String GET_CLOSE = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 80);

    private final List<AutoCloseable> open = new ArrayList<>();
    /** What the back end received: one entry per connection, everything it read on it. */
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger guardLog = (Logger) LoggerFactory.getLogger("io.switchboard.proxy.guard");

    @BeforeEach
    void captureLog() {
        logs.start();
        guardLog.addAppender(logs);
    }

    @AfterEach
    void closeAll() throws Exception {
        guardLog.detachAppender(logs);
        for (AutoCloseable c : open) c.close();
    }

    /** A proxy whose pool "app" has one back end that records every byte it receives and answers 200. */
    private ProxyFixture proxy(String trusted, GuardConfig guard, ProxyProtocolVersion sendProxy) throws Exception {
        RawServer backend = RawServer.answering(this::record);
        open.add(backend);
        ProxyFixture fx = new ProxyFixture();
        open.add(0, fx);
        fx.proxyProtocol = trusted == null ? null : new ProxyProtocolConfig(List.of(Cidr.parse(trusted)));
        fx.guard = guard;
        fx.sendProxy = sendProxy;
        return fx.start(List.of(new ServerConfig("raw", "127.0.0.1", backend.port(), 1, null)));
    }

    private void record(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int index = received.size();
        received.add("");
        for (int request = 0; request < 8; request++) {
            if (!readOne(in, got)) return;
            received.set(index, got.toString(StandardCharsets.ISO_8859_1));
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    /** Reads a PROXY header if one comes (v2's binary part by its length), then a request head. */
    private static boolean readOne(InputStream in, ByteArrayOutputStream got) throws IOException {
        int first = in.read();
        if (first < 0) return false;
        got.write(first);
        if (first == '\r') {
            byte[] fixed = in.readNBytes(15);
            got.write(fixed);
            got.write(in.readNBytes(((fixed[13] & 0xff) << 8) | (fixed[14] & 0xff)));
        }
        int matched = 0;
        for (int i = 0; i < 64 * 1024 && matched < 4; i++) {
            int c = in.read();
            if (c < 0) return false;
            got.write(c);
            matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        return true;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] v2(String client, int port) {
        ByteBuf b = ProxyHeader.encode(UnpooledByteBufAllocator.DEFAULT, ProxyProtocolVersion.V2, new InetSocketAddress(client, port), LOCAL);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Sends {@code data} on a new connection and reads until the proxy closes it. */
    private static String exchange(ProxyFixture fx, byte[] data) throws IOException {
        try (Client c = new Client(fx)) {
            c.send(data);
            return c.readUntilClose();
        }
    }

    private static ListenerCounters counters(ProxyFixture fx) {
        return fx.proxy.state().listenerCounters().of("web");
    }

    // ---------------------------------------------------------------- accepting

    @Test
    void aV1HeaderFromATrustedPeerCarriesTheClientToXForwardedForAndTheAccessLog() throws Exception {
        ProxyFixture fx = proxy("127.0.0.0/8", null, null);
        String response = exchange(fx, bytes("PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\n" + GET_CLOSE));
        assertThat(response).startsWith("HTTP/1.1 200");
        assertThat(received).hasSize(1);
        assertThat(received.get(0)).startsWith("GET / HTTP/1.1").contains("\r\nX-Forwarded-For: 203.0.113.7\r\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> !fx.accessLog.isEmpty());
        assertThat(fx.accessLog.get(0).client()).isEqualTo("203.0.113.7");
    }

    @Test
    void aV2HeaderCarriesAnIpv6Client() throws Exception {
        ProxyFixture fx = proxy("127.0.0.0/8", null, null);
        String response = exchange(fx, concat(v2("2001:db8::5", 40001), bytes(GET_CLOSE)));
        assertThat(response).startsWith("HTTP/1.1 200");
        assertThat(received.get(0)).contains("\r\nX-Forwarded-For: 2001:db8:0:0:0:0:0:5\r\n");
    }

    @Test
    void aHeaderArrivingInPiecesIsStillRead() throws Exception {
        ProxyFixture fx = proxy("127.0.0.0/8", null, null);
        try (Client c = new Client(fx)) {
            byte[] all = concat(v2("198.51.100.9", 1234), bytes(GET_CLOSE));
            for (byte b : all) c.send(new byte[] {b}); // TCP_NODELAY: mostly one byte per segment
            assertThat(c.readUntilClose()).startsWith("HTTP/1.1 200");
        }
        assertThat(received.get(0)).contains("\r\nX-Forwarded-For: 198.51.100.9\r\n");
    }

    @Test
    void aDenyRuleAppliesToTheCarriedAddress() throws Exception {
        GuardConfig deny = new GuardConfig(0, 0, 0, 0, List.of(), List.of(Cidr.parse("203.0.113.0/24")));
        ProxyFixture fx = proxy("127.0.0.0/8", deny, null);
        assertThat(exchange(fx, bytes("PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\n" + GET_CLOSE))).startsWith("HTTP/1.1 403");
        assertThat(exchange(fx, bytes("PROXY TCP4 198.51.100.1 127.0.0.1 40000 80\r\n" + GET_CLOSE))).startsWith("HTTP/1.1 200");
        assertThat(received).hasSize(1);
    }

    @Test
    void perIpConnectionLimitsCountTheCarriedClient() throws Exception {
        // A back end that serves connections concurrently (the recording one takes one at a time).
        ProxyFixture fx = new ProxyFixture().backends("b1");
        open.add(0, fx);
        fx.proxyProtocol = new ProxyProtocolConfig(List.of(Cidr.parse("127.0.0.0/8")));
        fx.guard = new GuardConfig(0, 1, 0, 0, List.of(), List.of());
        fx.start();
        try (Client a = new Client(fx); Client b = new Client(fx); Client a2 = new Client(fx)) {
            a.send(bytes("PROXY TCP4 203.0.113.7 127.0.0.1 1 80\r\n" + GET));
            assertThat(a.readResponse()).startsWith("HTTP/1.1 200");
            // another client behind the same proxy: its own limit, although the peer address is the same
            b.send(bytes("PROXY TCP4 203.0.113.8 127.0.0.1 2 80\r\n" + GET));
            assertThat(b.readResponse()).startsWith("HTTP/1.1 200");
            // the first client again, while its first connection is open: over its limit of 1
            a2.send(bytes("PROXY TCP4 203.0.113.7 127.0.0.1 3 80\r\n" + GET));
            assertThat(a2.readUntilClose()).isEmpty();
        }
        assertThat(counters(fx).refusedAtAcceptTotal("max-connections-per-ip")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- refusing

    @Test
    void aHeaderFromAnUntrustedPeerIsClosedAndCounted() throws Exception {
        ProxyFixture fx = proxy("10.0.0.0/8", null, null);
        assertThat(exchange(fx, bytes("PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\n" + GET_CLOSE))).isEmpty();
        assertThat(exchange(fx, concat(v2("203.0.113.7", 1), bytes(GET_CLOSE)))).isEmpty();
        assertThat(received).isEmpty();
        assertThat(counters(fx).proxyProtocolRefusedTotal("untrusted")).isEqualTo(2);
        assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("127.0.0.1").contains("PROXY"));
        // an untrusted peer without a header is an ordinary client
        assertThat(exchange(fx, bytes(GET_CLOSE))).startsWith("HTTP/1.1 200");
        assertThat(received.get(0)).contains("\r\nX-Forwarded-For: 127.0.0.1\r\n");
    }

    @Test
    void aMalformedHeaderFromATrustedPeerIsClosedAndCounted() throws Exception {
        ProxyFixture fx = proxy("127.0.0.0/8", null, null);
        assertThat(exchange(fx, bytes("PROXY TCP4 999.0.0.1 127.0.0.1 40000 80\r\n" + GET_CLOSE))).isEmpty();
        assertThat(exchange(fx, bytes("PROXY TCP4 203.0.113.7 127.0.0.1 40000\r\n" + GET_CLOSE))).isEmpty();
        byte[] badFamily = v2("203.0.113.7", 1);
        badFamily[13] = 0x71; // no such address family
        assertThat(exchange(fx, concat(badFamily, bytes(GET_CLOSE)))).isEmpty();
        assertThat(received).isEmpty();
        assertThat(counters(fx).proxyProtocolRefusedTotal("malformed")).isEqualTo(3);
    }

    @Test
    void aTrustedPeerWithoutAHeaderIsClosedAndCounted() throws Exception {
        ProxyFixture fx = proxy("127.0.0.0/8", null, null);
        assertThat(exchange(fx, bytes(GET_CLOSE))).isEmpty();
        assertThat(received).isEmpty();
        assertThat(counters(fx).proxyProtocolRefusedTotal("missing")).isEqualTo(1);
        assertThat(counters(fx).proxyProtocolRefusedTotal("malformed")).isZero();
    }

    @Test
    void aTrustedPeerThatStopsInsideItsHeaderIsClosedAtTheHeaderTimeout() throws Exception {
        ProxyFixture fx = new ProxyFixture().backends("b1");
        open.add(0, fx);
        fx.proxyProtocol = new ProxyProtocolConfig(List.of(Cidr.parse("127.0.0.0/8")));
        fx.headerTimeout = Duration.ofMillis(300);
        fx.start();
        assertThat(exchange(fx, bytes("PROXY TCP4 203.0.113.7 "))).isEmpty();
        assertThat(counters(fx).proxyProtocolRefusedTotal("timeout")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- sending

    @Test
    void sendProxyV1StartsTheBackEndConnectionWithTheClientsAddress() throws Exception {
        ProxyFixture fx = proxy(null, null, ProxyProtocolVersion.V1);
        int clientPort;
        try (Client c = new Client(fx)) {
            clientPort = c.socket.getLocalPort();
            c.send(bytes(GET_CLOSE));
            assertThat(c.readUntilClose()).startsWith("HTTP/1.1 200");
        }
        assertThat(received).hasSize(1);
        assertThat(received.get(0)).startsWith("PROXY TCP4 127.0.0.1 127.0.0.1 " + clientPort + " " + fx.port() + "\r\nGET / HTTP/1.1\r\n");
    }

    @Test
    void sendProxyV2CarriesTheAcceptedClientAndNoConnectionIsReused() throws Exception {
        ProxyFixture fx = proxy("127.0.0.0/8", null, ProxyProtocolVersion.V2);
        try (Client a = new Client(fx)) {
            a.send(bytes("PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\n" + GET));
            assertThat(a.readResponse()).startsWith("HTTP/1.1 200");
            a.send(bytes(GET));
            assertThat(a.readResponse()).startsWith("HTTP/1.1 200");
        }
        try (Client b = new Client(fx)) {
            b.send(bytes("PROXY TCP4 198.51.100.1 127.0.0.1 40000 80\r\n" + GET_CLOSE));
            assertThat(b.readUntilClose()).startsWith("HTTP/1.1 200");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3 && !received.get(2).isEmpty());
        assertThat(List.of(source(received.get(0)), source(received.get(1)), source(received.get(2))))
                .containsExactly("203.0.113.7", "203.0.113.7", "198.51.100.1");
        for (String r : received) assertThat(r).contains("GET / HTTP/1.1\r\n").containsOnlyOnce("GET /");
    }

    /** The source address of the v2 header {@code r} starts with. */
    private static String source(String r) {
        EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
        ch.writeInbound(Unpooled.copiedBuffer(r, StandardCharsets.ISO_8859_1));
        HAProxyMessage m = ch.readInbound();
        ch.finishAndReleaseAll();
        try {
            return m.sourceAddress();
        } finally {
            m.release();
        }
    }

    /** A raw client connection. */
    private static final class Client implements AutoCloseable {
        final Socket socket = new Socket();

        Client(ProxyFixture fx) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", fx.port()), 5000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
        }

        void send(byte[] data) throws IOException {
            socket.getOutputStream().write(data);
            socket.getOutputStream().flush();
        }

        /** One response with a Content-Length body. */
        String readResponse() throws IOException {
            return RawHttp.readResponse(socket.getInputStream());
        }

        /** Everything until the proxy closes (a refused connection: nothing). */
        String readUntilClose() throws IOException {
            InputStream in = socket.getInputStream();
            StringBuilder sb = new StringBuilder();
            byte[] buf = new byte[8192];
            try {
                for (int i = 0; i < 10_000; i++) {
                    int n = in.read(buf);
                    if (n < 0) break;
                    sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                }
            } catch (SocketTimeoutException e) {
                sb.append("(no close within the read timeout)");
            } catch (IOException e) {
                // reset by the proxy: what came before is the answer
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
