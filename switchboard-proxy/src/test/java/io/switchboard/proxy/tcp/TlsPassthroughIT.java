package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.TcpValidateConfig;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.tls.TestCertificates;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code validate: tls} and {@code validate: line} on a {@code mode: tcp} listener, on real sockets: JDK
 * TLS clients with SNI through the passthrough listener to two Netty TLS back ends (each answers with its
 * name, so the pool a session landed on is visible), non-TLS and damaged ClientHellos refused; line clients
 * in front of {@link EchoServer}.
 */
class TlsPassthroughIT {
    @TempDir
    Path dir;
    private final ProxyFixture f = new ProxyFixture();
    private final List<Channel> tlsServers = new ArrayList<>();
    private final List<EchoServer> echoes = new ArrayList<>();
    private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
    private TestCertificates certs;

    @BeforeEach
    void certificates() throws Exception {
        certs = new TestCertificates(dir).ec("s", "a.example.com", "x.example.com", "other.org");
    }

    @AfterEach
    void close() throws IOException {
        for (Channel c : tlsServers) c.close().syncUninterruptibly(); // on the fixture's loops: before they stop
        f.close();
        for (EchoServer e : echoes) e.close();
    }

    /** A TLS server that answers every read with "name:" and what it read. */
    private ServerConfig tlsServer(String name) throws Exception {
        SslContext ssl = SslContextBuilder.forServer(certs.cert("s").toFile(), certs.key("s").toFile()).build();
        Channel ch = new ServerBootstrap().group(f.group).channel(f.transport.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                        accepted.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                        c.pipeline().addLast(ssl.newHandler(c.alloc()), new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                ctx.writeAndFlush(Unpooled.copiedBuffer(name + ":" + msg.toString(StandardCharsets.US_ASCII),
                                        StandardCharsets.US_ASCII));
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        tlsServers.add(ch);
        return new ServerConfig(name, "127.0.0.1", ((InetSocketAddress) ch.localAddress()).getPort(), 1, null);
    }

    private void startTls() throws Exception {
        f.mode = ListenerConfig.Mode.TCP;
        f.otherServers.put("pa", List.of(tlsServer("a")));
        f.otherServers.put("px", List.of(tlsServer("x")));
        f.validate = TcpValidateConfig.tls(List.of(
                new TcpValidateConfig.SniRoute(List.of("a.example.com"), "pa"),
                new TcpValidateConfig.SniRoute(List.of("*.example.com"), "px")));
        f.start(List.of(tlsServer("d")));
    }

    /** Says "hi" over TLS with this SNI (null: none) and returns the answer. */
    private String hello(String sni) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) { }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) { } // the answer says who it was

            @Override
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        try (Socket raw = new Socket("127.0.0.1", f.port());
             SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "127.0.0.1", f.port(), true)) {
            s.setSoTimeout(20_000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            s.setSSLParameters(p);
            s.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] got = s.getInputStream().readNBytes(4);
            return new String(got, StandardCharsets.US_ASCII);
        }
    }

    /** Sends raw bytes and returns all the proxy sent back until it closed. */
    private byte[] rawExchange(byte[] send) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", f.port()), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(send);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            return in.readAllBytes();
        }
    }

    @Test
    void sessionsLandOnThePoolTheirServerNameRoutesTo() throws Exception {
        startTls();
        assertThat(hello("a.example.com")).isEqualTo("a:hi");
        assertThat(hello("X.Example.COM")).isEqualTo("x:hi");
        assertThat(hello("deep.x.example.com")).isEqualTo("x:hi");
        assertThat(hello("other.org")).isEqualTo("d:hi");
        assertThat(hello(null)).isEqualTo("d:hi");
        assertThat(f.proxy.state().listenerCounters().of("web").validationFailures()).isZero();
    }

    @Test
    void aClientThatIsNotTlsIsClosedWithoutAWord() throws Exception {
        startTls();
        assertThat(rawExchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(f.proxy.state().listenerCounters().of("web").validationFailures()).isEqualTo(1);
    }

    @Test
    void aClientHelloWithBadLengthsIsClosedWithADecodeErrorAlert() throws Exception {
        startTls();
        byte[] hello = ClientHelloTest.jdkHello("a.example.com");
        hello[8]--; // the handshake message one byte shorter than its record
        assertThat(rawExchange(hello)).containsExactly(21, 3, 1, 0, 2, 2, 50);
        assertThat(f.proxy.state().listenerCounters().of("web").validationFailures()).isEqualTo(1);
    }

    /** A TLS 1.2 handshake by openssl s_client without tickets (so the server's session cache and ID are used). */
    private String sClient(String sessionFile, boolean resume) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + f.port(),
                "-servername", "a.example.com", "-tls1_2", "-no_ticket"));
        cmd.addAll(List.of(resume ? "-sess_in" : "-sess_out", dir.resolve(sessionFile).toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aResumedTls12SessionIdGoesBackToTheServerThatEstablishedIt() throws Exception {
        f.mode = ListenerConfig.Mode.TCP;
        f.validate = TcpValidateConfig.tls(List.of());
        f.start(List.of(tlsServer("a"), tlsServer("b"))); // round robin: a new session goes to the other one
        String first = sClient("s", false);
        assertThat(first).contains("TLSv1.2");
        assertThat(accepted.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(1);
        String server = accepted.keySet().iterator().next();
        String second = sClient("s", true);
        assertThat(second).contains("Reused");
        assertThat(accepted.get(server).get()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- validate: line

    private void startLine() throws Exception {
        EchoServer e = new EchoServer("e");
        echoes.add(e);
        f.mode = ListenerConfig.Mode.TCP;
        f.validate = TcpValidateConfig.line(32, List.of("PING", "ECHO"), "-ERR refused\r\n");
        f.start(List.of(new ServerConfig("e", "127.0.0.1", e.port(), 1, null)));
    }

    private String lineSession(String send, int expect) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", f.port()), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(send.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] got = expect < 0 ? s.getInputStream().readAllBytes() : s.getInputStream().readNBytes(expect);
            return new String(got, StandardCharsets.US_ASCII);
        }
    }

    @Test
    void allowedLinesPassByteForByte() throws Exception {
        startLine();
        String text = "PING\r\necho hello\r\nPING\n";
        assertThat(lineSession(text, text.length())).isEqualTo(text);
    }

    @Test
    void aLongLineOrAWordNotAllowedClosesWithTheErrorLine() throws Exception {
        startLine();
        char[] longLine = new char[40];
        Arrays.fill(longLine, 'x');
        assertThat(lineSession("ECHO " + new String(longLine) + "\r\n", -1)).isEqualTo("-ERR refused\r\n");
        assertThat(lineSession("FLUSHALL\r\n", -1)).isEqualTo("-ERR refused\r\n");
        assertThat(f.proxy.state().listenerCounters().of("web").validationFailures()).isEqualTo(2);
    }
}
