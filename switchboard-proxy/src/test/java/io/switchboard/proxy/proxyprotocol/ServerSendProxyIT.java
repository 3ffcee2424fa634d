package io.switchboard.proxy.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.backend.BackendState;
import io.switchboard.config.AdminState;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.config.SendProxy;
import io.switchboard.config.ServerConfig;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.RawServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server's own {@code send-proxy} over its pool's, proven with the bytes raw back ends receive: on
 * the HTTP path and the TCP path, and on health probes, which a back end that requires the header
 * would otherwise refuse.
 */
class ServerSendProxyIT {
    private static final String V2_SIGNATURE = "\r\n\r\n\0\r\nQUIT\n";

    private final List<AutoCloseable> open = new ArrayList<>();
    /** Per back end name: the first bytes of every connection it accepted. */
    private final Map<String, List<String>> received = new ConcurrentHashMap<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    /**
     * A back end that reads an optional PROXY header and then one HTTP request head (HTTP listener)
     * or one line (TCP listener), records what it read, answers and closes. With {@code requireHeader}
     * it closes at once, answering nothing, on a connection that does not start with a header.
     */
    private ServerConfig backend(String name, SendProxy sendProxy, boolean requireHeader) throws IOException {
        List<String> got = new CopyOnWriteArrayList<>();
        received.put(name, got);
        RawServer s = RawServer.answering(socket -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            int first = in.read();
            if (first < 0) return;
            seen.write(first);
            boolean header = first == 'P' || first == '\r';
            if (first == '\r') {
                byte[] fixed = in.readNBytes(15);
                seen.write(fixed);
                seen.write(in.readNBytes(((fixed[13] & 0xff) << 8) | (fixed[14] & 0xff)));
            }
            if (requireHeader && !header) {
                got.add(seen.toString(StandardCharsets.ISO_8859_1));
                return;
            }
            boolean http = false;
            int matched = 0;
            for (int i = 0; i < 64 * 1024; i++) {
                int c = in.read();
                if (c < 0) break;
                seen.write(c);
                String sofar = seen.toString(StandardCharsets.ISO_8859_1);
                if (sofar.contains("HTTP/1.1\r\n")) http = true;
                if (!http && c == '\n' && !sofar.endsWith("\r\n")) break;
                matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
                if (http && matched == 4) break;
            }
            got.add(seen.toString(StandardCharsets.ISO_8859_1));
            out.write((http ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok" : "done\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        });
        open.add(s);
        return new ServerConfig(name, "127.0.0.1", s.port(), 1, AdminState.READY, 0, Set.of(), sendProxy);
    }

    private ProxyFixture proxy(ListenerConfig.Mode mode, ProxyProtocolVersion poolSendProxy, List<ServerConfig> servers) throws Exception {
        ProxyFixture fx = new ProxyFixture();
        open.add(0, fx);
        fx.mode = mode;
        fx.sendProxy = poolSendProxy;
        fx.retries = 0;
        return fx.start(servers);
    }

    private static String send(ProxyFixture fx, String text) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", fx.port()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** Each back end's connections begin as its own setting says: v1's line, v2's signature, or the client's bytes. */
    private void assertEachServerGotItsOwnHeader(String payloadStart) {
        await().atMost(Duration.ofSeconds(10)).until(() -> received.values().stream().allMatch(l -> l.size() == 2));
        for (String r : received.get("one")) assertThat(r).startsWith("PROXY TCP4 127.0.0.1 127.0.0.1 ").contains("\r\n" + payloadStart);
        for (String r : received.get("two")) assertThat(r).startsWith(V2_SIGNATURE).contains(payloadStart);
        for (String r : received.get("none")) assertThat(r).startsWith(payloadStart);
    }

    @Test
    void httpPoolWithOneServerV1OneV2AndOneOff() throws Exception {
        ProxyFixture fx = proxy(ListenerConfig.Mode.HTTP, ProxyProtocolVersion.V2, List.of(
                backend("one", SendProxy.V1, false), backend("two", SendProxy.POOL, false), backend("none", SendProxy.OFF, false)));
        for (int i = 0; i < 6; i++) {
            assertThat(send(fx, "GET /" + i + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
        }
        assertEachServerGotItsOwnHeader("GET /");
    }

    @Test
    void tcpPoolWithOneServerV1OneV2AndOneOff() throws Exception {
        ProxyFixture fx = proxy(ListenerConfig.Mode.TCP, null, List.of(
                backend("one", SendProxy.V1, false), backend("two", SendProxy.V2, false), backend("none", SendProxy.OFF, false)));
        for (int i = 0; i < 6; i++) assertThat(send(fx, "hello " + i + "\n")).isEqualTo("done\n");
        assertEachServerGotItsOwnHeader("hello ");
    }

    @Test
    void probesOfAServerThatRequiresTheHeaderCarryItAndKeepItUp() throws Exception {
        ProxyFixture fx = new ProxyFixture();
        open.add(0, fx);
        fx.health = new HealthCheckConfig(HealthCheckConfig.Type.HTTP, "GET", "/health", null, 200, 399,
                Duration.ofMillis(50), Duration.ofSeconds(1), 0.0, 1, 1);
        fx.start(List.of(backend("one", SendProxy.V1, true), backend("two", SendProxy.V2, true)));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.get("one").size() >= 4 && received.get("two").size() >= 4);
        for (String r : received.get("one")) assertThat(r).startsWith("PROXY TCP4 127.0.0.1 127.0.0.1 ").contains("\r\nGET /health ");
        for (String r : received.get("two")) assertThat(r).startsWith(V2_SIGNATURE).contains("GET /health ");
        assertThat(fx.pool.snapshot().backends().member("one").state()).isEqualTo(BackendState.UP);
        assertThat(fx.pool.snapshot().backends().member("two").state()).isEqualTo(BackendState.UP);
    }

    @Test
    void tcpProbesCarryTheHeaderToo() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        RawServer s = RawServer.answering(socket -> {
            // everything up to the probe's FIN: the header line, and nothing after it (recorded only
            // when the FIN comes: the probe closes once the header is out, on every transport)
            got.add(new String(socket.getInputStream().readNBytes(256), StandardCharsets.ISO_8859_1));
        });
        open.add(s);
        ProxyFixture fx = new ProxyFixture();
        open.add(0, fx);
        fx.sendProxy = ProxyProtocolVersion.V1;
        fx.health = new HealthCheckConfig(HealthCheckConfig.Type.TCP, "GET", "/", null, 200, 399,
                Duration.ofMillis(50), Duration.ofSeconds(1), 0.0, 1, 1);
        fx.start(List.of(new ServerConfig("one", "127.0.0.1", s.port(), 1, AdminState.READY)));
        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 3);
        for (String r : got) assertThat(r).startsWith("PROXY TCP4 127.0.0.1 127.0.0.1 ").endsWith(" " + s.port() + "\r\n");
    }
}
