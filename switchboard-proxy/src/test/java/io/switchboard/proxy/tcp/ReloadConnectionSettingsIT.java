package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.Cidr;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.ProxyProtocolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.config.TcpValidateConfig;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.ListenerCounters;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reload that changes a listener's {@code validate}, {@code splice} or {@code proxy-protocol}: the
 * connections accepted after it get the new setting, a connection open before it keeps the old one.
 */
class ReloadConnectionSettingsIT {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) c.close();
    }

    private ProxyFixture tcp(String transport) throws Exception {
        EchoServer e = new EchoServer("e");
        open.add(e);
        ProxyFixture f = new ProxyFixture(transport);
        open.add(f);
        f.mode = ListenerConfig.Mode.TCP;
        f.splice = ListenerConfig.Splice.OFF;
        return f.start(List.of(new ServerConfig("e", "127.0.0.1", e.port(), 1, null)));
    }

    /** Reloads the fixture's proxy with its one listener changed by {@code change}. */
    private static void reload(ProxyFixture f, UnaryOperator<ListenerConfig> change) {
        ListenerConfig l = change.apply(f.config.listeners().get(0));
        SwitchboardConfig next = new SwitchboardConfig(null, List.of(l), f.config.pools(), 2, "auto", Duration.ofSeconds(5), "off");
        f.proxy.update(next, Map.of("app", f.pool));
        f.config = next;
    }

    private static String roundTrip(Socket s, String prefix, String text) throws IOException {
        s.getOutputStream().write((prefix + text).getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.US_ASCII);
    }

    /** Everything until the proxy closes. */
    private static String untilClosed(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException reset) {
            return "";
        }
    }

    @Test
    void validateTurnedOnByAReloadChecksNewSessionsOnly() throws Exception {
        ProxyFixture f = tcp("auto");
        try (Socket before = TcpClient.open(f.port())) {
            assertThat(roundTrip(before, "", "HELLO\r\n")).isEqualTo("HELLO\r\n");
            reload(f, l -> l.withValidate(TcpValidateConfig.line(32, List.of("PING"), "-ERR refused\r\n")));
            try (Socket after = TcpClient.open(f.port())) {
                assertThat(roundTrip(after, "", "PING\r\n")).isEqualTo("PING\r\n");
                after.getOutputStream().write("HELLO\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilClosed(after)).isEqualTo("-ERR refused\r\n");
            }
            // the session open before the reload is not validated
            assertThat(roundTrip(before, "", "HELLO again\r\n")).isEqualTo("HELLO again\r\n");
        }
        assertThat(f.proxy.state().listenerCounters().of("web").validationFailures()).isEqualTo(1);
    }

    @Test
    void proxyProtocolTurnedOnByAReloadIsRequiredOfNewTcpSessionsOnly() throws Exception {
        ProxyFixture f = tcp("auto");
        try (Socket before = TcpClient.open(f.port())) {
            assertThat(roundTrip(before, "", "ping")).isEqualTo("ping");
            reload(f, l -> l.withProxyProtocol(new ProxyProtocolConfig(List.of(Cidr.parse("127.0.0.0/8")))));
            try (Socket after = TcpClient.open(f.port())) {
                assertThat(roundTrip(after, "PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\n", "ping")).isEqualTo("ping");
                assertThat(f.proxy.state().sessions().page("web", null, 0, 10).sessions())
                        .anySatisfy(e -> assertThat(e.client()).isEqualTo("192.0.2.7:5555"));
            }
            try (Socket noHeader = TcpClient.open(f.port())) {
                noHeader.getOutputStream().write("ping, no header here\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilClosed(noHeader)).isEmpty();
            }
            assertThat(roundTrip(before, "", "still here")).isEqualTo("still here");
        }
        ListenerCounters counters = f.proxy.state().listenerCounters().of("web");
        assertThat(ListenerCounters.PROXY_PROTOCOL_REFUSALS.stream().mapToLong(counters::proxyProtocolRefusedTotal).sum()).isEqualTo(1);
    }

    @Test
    void proxyProtocolTurnedOnByAReloadIsRequiredOfNewHttpConnectionsOnly() throws Exception {
        ProxyFixture f = new ProxyFixture();
        open.add(f);
        f.backends("a").start();
        String get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        try (Socket before = TcpClient.open(f.port())) {
            assertThat(response(before, "", get)).startsWith("HTTP/1.1 200");
            reload(f, l -> l.withProxyProtocol(new ProxyProtocolConfig(List.of(Cidr.parse("127.0.0.0/8")))));
            try (Socket after = TcpClient.open(f.port())) {
                assertThat(response(after, "PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\n", get)).startsWith("HTTP/1.1 200");
            }
            try (Socket noHeader = TcpClient.open(f.port())) {
                noHeader.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
                assertThat(untilClosed(noHeader)).isEmpty();
            }
            // the keep-alive connection from before the reload goes on without a header
            assertThat(response(before, "", get)).startsWith("HTTP/1.1 200");
        }
        assertThat(f.accessLog).extracting(AccessRecord::client).contains("192.0.2.7");
    }

    /** One response to {@code prefix + request}, read by its Content-Length. */
    private static String response(Socket s, String prefix, String request) throws IOException {
        s.getOutputStream().write((prefix + request).getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return RawHttp.readResponse(s.getInputStream());
    }

    /** Pipes open in this process: Netty's splice goes socket -> pipe -> socket (one pipe each way). */
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

    @Test
    void spliceTurnedOnByAReloadSplicesNewSessionsOnly() throws Exception {
        ProxyFixture f = tcp("epoll");
        long pipesBefore = pipes();
        try (Socket before = TcpClient.open(f.port())) {
            assertThat(roundTrip(before, "", "x")).isEqualTo("x");
            assertThat(pipes()).isEqualTo(pipesBefore);
            reload(f, l -> l.withSplice(ListenerConfig.Splice.ON));
            try (Socket after = TcpClient.open(f.port())) {
                assertThat(roundTrip(after, "", "y")).isEqualTo("y");
                assertThat(pipes()).isGreaterThanOrEqualTo(pipesBefore + 4);
                long withOne = pipes();
                // the session from before the reload still relays through buffers: no pipes of its own
                assertThat(roundTrip(before, "", "z")).isEqualTo("z");
                assertThat(pipes()).isEqualTo(withOne);
            }
        }
    }
}
