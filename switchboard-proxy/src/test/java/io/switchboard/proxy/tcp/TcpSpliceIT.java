package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.ListenerConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.proxy.ProxyFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mode: tcp} listeners with {@code splice: on} on the epoll transport, on real sockets: a proxy on
 * 127.0.0.1 in front of {@link EchoServer}s, clients with plain blocking sockets. Splicing shows as the
 * pipes Netty opens for it (one per direction) in this process's descriptors.
 */
class TcpSpliceIT {
    private final ProxyFixture f = new ProxyFixture("epoll");
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

    private void start(EchoServer s) throws Exception {
        f.mode = ListenerConfig.Mode.TCP;
        f.splice = ListenerConfig.Splice.ON;
        f.start(List.of(new ServerConfig(s.name(), "127.0.0.1", s.port(), 1, null)));
    }



    /** Pipes open in this process: Netty's splice goes socket -> pipe -> socket. */
    private static long pipes() throws IOException {
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(p).toString().startsWith("pipe:")) n++;
                } catch (IOException gone) {
                    // closed while listed
                }
            }
        }
        return n;
    }

    private Socket open() throws IOException {
        return TcpClient.open(f.port());
    }

    private SessionTable sessions() {
        return f.proxy.state().sessions();
    }


    @Test
    void oneMegabyteEachWayIsSplicedIntactAndCountedAndTheFinPassesThrough() throws Exception {
        EchoServer a = echo("a");
        start(a);
        byte[] sent = new byte[1 << 20];
        new Random(14).nextBytes(sent);
        long pipesBefore = pipes();
        try (Socket s = open()) {
            assertThat(TcpClient.roundTrip(s, "x")).isEqualTo("x");
            // One pipe per direction, two descriptors each.
            assertThat(pipes()).isGreaterThanOrEqualTo(pipesBefore + 4);
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
            SessionTable.Session e = sessions().page("web", "a", 0, 10).sessions().get(0);
            byte[] got = TcpClient.readAll(s.getInputStream());
            writer.get();
            String trailer = "[a " + (sent.length + 1) + "]";
            assertThat(got.length).isEqualTo(sent.length + trailer.length());
            assertThat(TcpClient.sha(Arrays.copyOf(got, sent.length))).isEqualTo(TcpClient.sha(sent));
            assertThat(new String(got, sent.length, trailer.length(), StandardCharsets.US_ASCII)).isEqualTo(trailer);
            // The binding table counts spliced bytes too (they pass no handler).
            assertThat(e.bytesUp()).isEqualTo(sent.length + 1);
            assertThat(e.bytesDown()).isEqualTo(sent.length + 1 + trailer.length());
        }
        assertThat(a.eofs()).isEqualTo(1);
        TcpClient.await(() -> sessions().size() == 0, "the session left the binding table");
    }

    @Test
    void halfCloseLetsTheServerAnswerAfterTheClientsFin() throws Exception {
        start(echo("a"));
        try (Socket s = open()) {
            assertThat(TcpClient.roundTrip(s, "ping")).isEqualTo("ping");
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("[a 4]");
        }
    }

    @Test
    void anIdleSplicedSessionIsStillClosed() throws Exception {
        f.clientIdle = Duration.ofMillis(500);
        long pipesBefore = pipes();
        start(echo("a"));
        try (Socket s = open()) {
            assertThat(TcpClient.roundTrip(s, "x")).isEqualTo("x");
            assertThat(pipes()).isGreaterThanOrEqualTo(pipesBefore + 4);
            // Nothing either way: the proxy closes the session.
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        TcpClient.await(() -> sessions().size() == 0, "the idle session left the binding table");
    }


}
