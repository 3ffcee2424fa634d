package io.switchboard.proxy.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.backend.BackendState;
import io.switchboard.config.AdminState;
import io.switchboard.config.Cidr;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.ProxyProtocolConfig;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.config.SendProxy;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.TlsConfig;
import io.switchboard.proxy.DebianPeer;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.RawServer;
import io.switchboard.proxy.probe.NoLeaksExtension;
import io.switchboard.proxy.tls.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PROXY protocol with real peers, both ways: HAProxy ({@code send-proxy-v2}) in front of
 * Switchboard, and NGINX ({@code listen ... proxy_protocol}) behind a {@code send-proxy} pool. The
 * client connects from 127.0.0.2, so its address differs from the proxies' (127.0.0.1): only a
 * header that went through can put 127.0.0.2 where the test looks. Peers are installed from Debian
 * packages (skipped when that is impossible, failing under CI), run in the foreground from configs in
 * a temporary directory, and stopped by their process.
 */
@ExtendWith(NoLeaksExtension.class)
class ProxyProtocolPeersIT {
    private static final String CLIENT = "127.0.0.2";
    private static final String GET_CLOSE = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroy(); // SIGTERM to this process (by its PID), not to anything found by name
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        for (AutoCloseable c : open) c.close();
    }

    @Test
    void haproxyWithSendProxyV2InFrontDeliversTheOriginalClientToTheBackEnd() throws Exception {
        Path haproxy = DebianPeer.require("haproxy", "haproxy");
        AtomicReference<String> seen = new AtomicReference<>();
        RawServer backend = RawServer.answering(s -> {
            seen.set(readHead(s.getInputStream()));
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
        });
        open.add(backend);
        ProxyFixture fx = new ProxyFixture();
        open.add(0, fx);
        fx.proxyProtocol = new ProxyProtocolConfig(List.of(Cidr.parse("127.0.0.1/32"))); // HAProxy's address only
        fx.start(List.of(new ServerConfig("raw", "127.0.0.1", backend.port(), 1, null)));

        int port = RawServer.closedPort();
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, """
                global
                    maxconn 100
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 10s
                    timeout server 10s
                frontend fe
                    bind 127.0.0.1:%d
                    default_backend be
                backend be
                    server switchboard 127.0.0.1:%d send-proxy-v2
                """.formatted(port, fx.port()));
        start(dir.resolve("haproxy.log"), haproxy.toString(), "-db", "-f", cfg.toString());
        awaitListening(port, dir.resolve("haproxy.log"));

        String response = get(port);
        assertThat(response).startsWith("HTTP/1.1 200");
        assertThat(seen.get()).contains("\r\nX-Forwarded-For: " + CLIENT + "\r\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> !fx.accessLog.isEmpty());
        assertThat(fx.accessLog).extracting(r -> r.client()).containsExactly(CLIENT);
    }

    @Test
    void nginxWithProxyProtocolBehindSeesTheClientFromBothVersions() throws Exception {
        Path nginx = DebianPeer.require("nginx", "nginx-light");
        int port = RawServer.closedPort();
        Path cfg = dir.resolve("nginx.conf");
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(cfg, """
                daemon off;
                master_process off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    server {
                        listen 127.0.0.1:%2$d proxy_protocol;
                        location / { return 200 "$proxy_protocol_addr"; }
                    }
                }
                """.formatted(dir, port));
        start(dir.resolve("nginx.out"), nginx.toString(), "-p", dir.toString(), "-c", cfg.toString());
        awaitListening(port, dir.resolve("error.log"));

        for (ProxyProtocolVersion v : ProxyProtocolVersion.values()) {
            ProxyFixture fx = new ProxyFixture();
            open.add(0, fx);
            fx.sendProxy = v;
            fx.start(List.of(new ServerConfig("nginx", "127.0.0.1", port, 1, null)));
            String response = get(fx.port());
            assertThat(response).as("send-proxy %s", v).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n" + CLIENT);
        }
    }

    /**
     * One pool in front of two NGINX servers, one that requires the header and one that takes none: a
     * server's own {@code send-proxy} decides, and the health probes of the first carry the header
     * (NGINX refuses a connection without it), so both stay up.
     */
    @Test
    void nginxServersWithAndWithoutProxyProtocolInOnePoolStayUpAndEachGetsWhatItSpeaks() throws Exception {
        Path nginx = DebianPeer.require("nginx", "nginx-light");
        int pp = RawServer.closedPort();
        int plain = RawServer.closedPort();
        Path cfg = dir.resolve("nginx.conf");
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(cfg, """
                daemon off;
                master_process off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 64; }
                http {
                    log_format who '$proxy_protocol_addr $http_user_agent';
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    server {
                        listen 127.0.0.1:%2$d proxy_protocol;
                        access_log %1$s/pp.log who;
                        location / { return 200 "pp $proxy_protocol_addr"; }
                    }
                    server {
                        listen 127.0.0.1:%3$d;
                        access_log %1$s/plain.log who;
                        location / { return 200 "plain"; }
                    }
                }
                """.formatted(dir, pp, plain));
        start(dir.resolve("nginx.out"), nginx.toString(), "-p", dir.toString(), "-c", cfg.toString());
        awaitListening(pp, dir.resolve("error.log"));
        awaitListening(plain, dir.resolve("error.log"));

        ProxyFixture fx = new ProxyFixture();
        open.add(0, fx);
        fx.sendProxy = ProxyProtocolVersion.V2;
        fx.health = new HealthCheckConfig(HealthCheckConfig.Type.HTTP, "GET", "/", null, 200, 399,
                Duration.ofMillis(50), Duration.ofSeconds(1), 0.0, 1, 1);
        fx.start(List.of(new ServerConfig("pp", "127.0.0.1", pp, 1, AdminState.READY, 0, Set.of(), SendProxy.POOL),
                new ServerConfig("plain", "127.0.0.1", plain, 1, AdminState.READY, 0, Set.of(), SendProxy.OFF)));
        // probes reached both servers, the first with a header (its log has the probe's address)
        await().atMost(Duration.ofSeconds(10)).until(() -> probes(dir.resolve("pp.log")) >= 3 && probes(dir.resolve("plain.log")) >= 3);
        assertThat(Files.readAllLines(dir.resolve("pp.log"))).allMatch(l -> l.startsWith("127.0.0.1 "));
        assertThat(fx.pool.snapshot().backends().member("pp").state()).isEqualTo(BackendState.UP);
        assertThat(fx.pool.snapshot().backends().member("plain").state()).isEqualTo(BackendState.UP);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String r = get(fx.port());
            assertThat(r).startsWith("HTTP/1.1 200");
            bodies.add(r.substring(r.indexOf("\r\n\r\n") + 4));
        }
        assertThat(bodies).containsExactlyInAnyOrder("pp " + CLIENT, "pp " + CLIENT, "plain", "plain");
    }

    /** Health probes in an NGINX access log of format {@code who}. */
    private static long probes(Path log) throws IOException {
        if (!Files.exists(log)) return 0;
        return Files.readAllLines(log).stream().filter(l -> l.endsWith(" switchboard-health")).count();
    }

    @Test
    void curlSendsTheHeaderBeforeTlsAndBothHttp11AndHttp2AreServed() throws Exception {
        DebianPeer.require("curl", "curl");
        TestCertificates certs = new TestCertificates(dir).ec("a", "a.test");
        List<String> seen = new CopyOnWriteArrayList<>();
        RawServer backend = RawServer.answering(s -> {
            seen.add(readHead(s.getInputStream()));
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
        });
        open.add(backend);
        ProxyFixture fx = new ProxyFixture();
        open.add(0, fx);
        fx.proxyProtocol = new ProxyProtocolConfig(List.of(Cidr.parse("127.0.0.0/8")));
        fx.tls = new TlsConfig(List.of(new TlsConfig.Certificate(certs.cert("a"), certs.key("a"), List.of())), null, null, null, true);
        fx.start(List.of(new ServerConfig("raw", "127.0.0.1", backend.port(), 1, null)));
        String url = "https://a.test:" + fx.port() + "/";
        List<String> curl = List.of("curl", "-sS", "-i", "--max-time", "10", "--interface", CLIENT, "--cacert", certs.ca().toString(),
                "--resolve", "a.test:" + fx.port() + ":127.0.0.1");

        DebianPeer.Result h1 = DebianPeer.run(concat(curl, "--haproxy-protocol", "--http1.1", url), 30);
        assertThat(h1.output()).startsWith("HTTP/1.1 200");
        DebianPeer.Result h2 = DebianPeer.run(concat(curl, "--haproxy-protocol", "--http2", url), 30);
        assertThat(h2.output()).startsWith("HTTP/2 200");
        assertThat(seen).hasSize(2).allSatisfy(head -> assertThat(head).contains("\r\nX-Forwarded-For: " + CLIENT + "\r\n"));
        // without the header, a trusted peer's TLS handshake never starts: closed and counted
        DebianPeer.Result none = DebianPeer.run(concat(curl, url), 30);
        assertThat(none.exit()).isNotZero();
        assertThat(fx.proxy.state().listenerCounters().of("web").proxyProtocolRefusedTotal("missing")).isEqualTo(1);
    }

    private static List<String> concat(List<String> a, String... more) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(more));
        return out;
    }

    private void start(Path log, String... cmd) throws IOException {
        processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }

    /** Waits (bounded) until something accepts on the port; fails with the peer's log when nothing does. */
    private void awaitListening(int port, Path log) throws Exception {
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                if (!processes.get(processes.size() - 1).isAlive()) break;
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the peer did not listen on " + port + ":\n" + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }

    /** One request from 127.0.0.2; everything until the server closes. */
    private static String get(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(CLIENT, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(GET_CLOSE.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int matched = 0;
        for (int i = 0; i < 64 * 1024 && matched < 4; i++) {
            int c = in.read();
            if (c < 0) break;
            got.write(c);
            matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }
}
