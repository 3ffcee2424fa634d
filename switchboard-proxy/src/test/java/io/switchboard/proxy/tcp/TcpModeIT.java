package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.AdminState;
import io.switchboard.config.Cidr;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.ProxyProtocolConfig;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.config.ServerConfig;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.proxy.DebianPeer;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.RawServer;
import io.switchboard.registry.Change;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mode: tcp} listeners on real sockets: a proxy on 127.0.0.1 in front of {@link EchoServer}s,
 * clients with plain blocking sockets.
 */
class TcpModeIT {
    private final ProxyFixture f = new ProxyFixture();
    private final List<EchoServer> servers = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        f.close();
        for (EchoServer s : servers) s.close();
    }

    private EchoServer echo(String name) throws IOException {
        EchoServer s = new EchoServer(name);
        servers.add(s);
        return s;
    }

    private static ServerConfig server(EchoServer s) {
        return new ServerConfig(s.name(), "127.0.0.1", s.port(), 1, null);
    }

    private void start(ServerConfig... configs) throws Exception {
        f.mode = ListenerConfig.Mode.TCP;
        f.start(List.of(configs));
    }



    /** Ends the client's direction (FIN) and reads what comes until the proxy closes. */
    private static String finish(Socket s) throws IOException {
        s.shutdownOutput();
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    private Socket open() throws IOException {
        return TcpClient.open(f.port());
    }

    private SessionTable sessions() {
        return f.proxy.state().sessions();
    }


    @Test
    void oneMegabyteEachWayArrivesIntactAndTheClientsFinPassesThrough() throws Exception {
        EchoServer a = echo("a");
        start(server(a));
        byte[] sent = new byte[1 << 20];
        new Random(14).nextBytes(sent);
        try (Socket s = open()) {
            // Writes and reads at once: the echo comes back while the upload goes on, so both
            // directions are under back-pressure at the same time.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < sent.length; off += 8192) out.write(sent, off, 8192);
                    out.flush();
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] got = TcpClient.readAll(s.getInputStream());
            writer.get();
            String trailer = "[a " + sent.length + "]";
            assertThat(got.length).isEqualTo(sent.length + trailer.length());
            assertThat(TcpClient.sha(Arrays.copyOf(got, sent.length))).isEqualTo(TcpClient.sha(sent));
            // The back end saw the EOF and could still answer after it.
            assertThat(new String(got, sent.length, trailer.length(), StandardCharsets.US_ASCII)).isEqualTo(trailer);
        }
        assertThat(a.eofs()).isEqualTo(1);
        TcpClient.await(() -> sessions().size() == 0, "the session left the binding table");
        assertThat(f.pool.snapshot().backends().member("a").backend().inFlight()).isZero();
    }

    @Test
    void halfCloseLetsTheServerAnswerAfterTheClientsFin() throws Exception {
        start(server(echo("a")));
        try (Socket s = open()) {
            assertThat(TcpClient.roundTrip(s, "ping")).isEqualTo("ping");
            assertThat(finish(s)).isEqualTo("[a 4]");
        }
    }

    @Test
    void sessionsGoRoundRobinAcrossTwoServers() throws Exception {
        start(server(echo("a")), server(echo("b")));
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (Socket s = open()) {
                assertThat(TcpClient.roundTrip(s, "hi")).isEqualTo("hi");
                answers.add(finish(s));
            }
        }
        assertThat(answers).containsExactlyInAnyOrder("[a 2]", "[b 2]", "[a 2]", "[b 2]");
        assertThat(answers.get(0)).isNotEqualTo(answers.get(1));
    }

    @Test
    void aFailedConnectIsRetriedOnTheOtherServerBeforeAnyByteIsForwarded() throws Exception {
        EchoServer a = echo("a");
        f.retries = 2;
        start(new ServerConfig("dead", "127.0.0.1", RawServer.closedPort(), 1, null), server(a));
        for (int i = 0; i < 4; i++) {
            try (Socket s = open()) {
                // Sent at once, before the proxy knows where it goes: held, then delivered to "a" whole.
                s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                assertThat(finish(s)).isEqualTo("hello[a 5]");
            }
        }
        assertThat(a.accepted()).isEqualTo(4);
    }

    @Test
    void anIdleSessionIsClosedAndItsBindingRemoved() throws Exception {
        f.clientIdle = Duration.ofMillis(500);
        start(server(echo("a")));
        try (Socket s = open()) {
            assertThat(TcpClient.roundTrip(s, "x")).isEqualTo("x");
            SessionTable.Page page = sessions().page("web", "a", 0, 10);
            assertThat(page.total()).isEqualTo(1);
            SessionTable.Session e = page.sessions().get(0);
            assertThat(e.listener()).isEqualTo("web");
            assertThat(e.server()).isEqualTo("a");
            assertThat(e.pool()).isEqualTo("app");
            assertThat(e.client()).isEqualTo("127.0.0.1:" + s.getLocalPort());
            assertThat(e.bytesUp()).isEqualTo(1);
            assertThat(e.bytesDown()).isEqualTo(1);
            assertThat(sessions().page("web", "other", 0, 10).total()).isZero();
            // Nothing either way: the proxy closes the session.
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        TcpClient.await(() -> sessions().size() == 0, "the idle session left the binding table");
    }

    @Test
    void aServerAtMaxConnectionsMakesTheNextSessionWaitInTheQueue() throws Exception {
        EchoServer a = echo("a");
        start(new ServerConfig("a", "127.0.0.1", a.port(), 1, null, 1));
        try (Socket first = open()) {
            assertThat(TcpClient.roundTrip(first, "1")).isEqualTo("1");
            Socket second = open();
            second.getOutputStream().write('2');
            TcpClient.await(() -> f.proxy.state().dispatch("app").queue().size() == 1, "the second session queued");
            assertThat(sessions().page("web", null, 0, 10).sessions()).extracting(SessionTable.Session::server)
                    .containsExactly("a", null);
            assertThat(a.accepted()).isEqualTo(1);
            assertThat(finish(first)).isEqualTo("[a 1]");
            // The slot is free: the second session connects and gets its held byte through.
            assertThat(finish(second)).isEqualTo("2[a 1]");
            second.close();
        }
        assertThat(a.accepted()).isEqualTo(2);
    }

    @Test
    void gracefulShutdownLetsAnOpenSessionFinish() throws Exception {
        start(server(echo("a")));
        try (Socket s = open()) {
            assertThat(TcpClient.roundTrip(s, "x")).isEqualTo("x");
            CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> f.proxy.shutdownGracefully(Duration.ofSeconds(30)));
            TcpClient.await(() -> f.proxy.state().draining(), "shutdown started");
            assertThat(shutdown).isNotDone();
            assertThat(TcpClient.roundTrip(s, "y")).isEqualTo("y");
            assertThat(finish(s)).isEqualTo("[a 2]");
            assertThat(shutdown.get()).isTrue();
        }
    }

    @Test
    void drainingAServerSendsNewSessionsElsewhereAndLetsItsOwnFinish() throws Exception {
        start(server(echo("a")), server(echo("b")));
        try (Socket first = open()) {
            assertThat(TcpClient.roundTrip(first, "1")).isEqualTo("1");
            String bound = sessions().page("web", null, 0, 10).sessions().get(0).server();
            String other = bound.equals("a") ? "b" : "a";
            f.pool.apply(new Change.SetAdmin(bound, AdminState.DRAIN, "test"));
            for (int i = 0; i < 3; i++) {
                try (Socket next = open()) {
                    assertThat(finish(next)).isEqualTo("[" + other + " 0]");
                }
            }
            assertThat(TcpClient.roundTrip(first, "23")).isEqualTo("23");
            assertThat(finish(first)).isEqualTo("[" + bound + " 3]");
        }
    }

    @Test
    void aDeniedClientIsClosedAtAcceptAndNothingReachesAServer() throws Exception {
        EchoServer a = echo("a");
        f.guard = new GuardConfig(0, 0, 0, 0, List.of(), List.of(Cidr.parse("127.0.0.0/8")));
        start(server(a));
        try (Socket s = open()) {
            s.getOutputStream().write('x');
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (SocketException reset) {
            // closed with the byte unread: a reset is as good as a FIN here
        }
        TcpClient.await(() -> sessions().size() == 0, "the refused session left the table");
        assertThat(a.accepted()).isZero();
        assertThat(f.proxy.state().listenerCounters().of("web").refusedTotal(403)).isEqualTo(1);
        assertThat(f.proxy.state().listenerCounters().of("web").openConnections()).isZero();
    }

    /** A real HTTP client through a TCP listener: keep-alive requests of one connection stay on one server. */
    @Test
    void curlsKeepAliveRequestsStayOnTheServerOfTheirConnection() throws Exception {
        DebianPeer.require("curl", "curl");
        f.backends("alpha", "bravo");
        f.mode = ListenerConfig.Mode.TCP;
        f.start();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String url = "http://127.0.0.1:" + f.port() + "/x";
            DebianPeer.Result r = DebianPeer.run(List.of("curl", "-sS", "--max-time", "20", url, url, url), 30);
            assertThat(r.exit()).as(r.output()).isZero();
            bodies.add(r.output());
        }
        // One connection per curl run, each bound to one server for all three requests; round robin between runs.
        assertThat(bodies).containsExactlyInAnyOrder("alpha\nalpha\nalpha\n", "bravo\nbravo\nbravo\n");
        assertThat(f.backends.get(0).connections() + f.backends.get(1).connections()).isEqualTo(2);
    }



    @Test
    void aTrustedProxyHeaderGivesTheSessionItsClientAddress() throws Exception {
        f.proxyProtocol = new ProxyProtocolConfig(List.of(Cidr.parse("127.0.0.0/8")));
        start(server(echo("a")));
        try (Socket s = open()) {
            assertThat(roundTrip(s, "PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\n", "ping")).isEqualTo("ping");
            SessionTable.Page page = sessions().page("web", null, 0, 10);
            assertThat(page.sessions()).extracting(SessionTable.Session::client).containsExactly("192.0.2.7:5555");
        }
    }

    @Test
    void sendProxyPutsTheHeaderBeforeTheClientsBytes() throws Exception {
        f.sendProxy = ProxyProtocolVersion.V1;
        start(server(echo("a")));
        try (Socket s = open()) {
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            // The echo server sends back what it got: the header first, then the client's bytes.
            assertThat(got).startsWith("PROXY TCP4 127.0.0.1 127.0.0.1 ").contains("\r\nping");
        }
    }

    /** Sends {@code prefix} (not echoed: the proxy takes it) and {@code text}, and reads back as many bytes as {@code text}. */
    private static String roundTrip(Socket s, String prefix, String text) throws IOException {
        s.getOutputStream().write((prefix + text).getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.US_ASCII);
    }
}
