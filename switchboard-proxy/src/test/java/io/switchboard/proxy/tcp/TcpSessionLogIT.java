package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.Cidr;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.ProxyProtocolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.TcpValidateConfig;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.RawServer;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One access-log line per session of a {@code mode: tcp} listener, read from the proxy's access log. */
class TcpSessionLogIT {
    private final ProxyFixture f = new ProxyFixture();
    private final List<EchoServer> servers = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        f.close();
        for (EchoServer s : servers) s.close();
    }

    private void start(ServerConfig... configs) throws Exception {
        f.mode = ListenerConfig.Mode.TCP;
        f.start(List.of(configs));
    }

    private ServerConfig echo(String name) throws IOException {
        EchoServer s = new EchoServer(name);
        servers.add(s);
        return new ServerConfig(name, "127.0.0.1", s.port(), 1, null);
    }

    /** The one line the session left (bounded wait: it is written on the proxy's loop after the close). */
    private AccessRecord line() throws InterruptedException {
        TcpClient.await(() -> !f.accessLog.isEmpty(), "the session's access-log line");
        assertThat(f.accessLog).hasSize(1);
        return f.accessLog.get(0);
    }

    @Test
    void aRelayedSessionLogsItsServerBytesAndBothFins() throws Exception {
        start(echo("a"));
        try (Socket s = TcpClient.open(f.port())) {
            assertThat(TcpClient.roundTrip(s, "ping")).isEqualTo("ping");
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("[a 4]");
        }
        AccessRecord r = line();
        assertThat(r.client()).isEqualTo("127.0.0.1");
        assertThat(r.listener()).isEqualTo("web");
        assertThat(r.method()).isEqualTo("TCP");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.backend()).isEqualTo("app/a");
        assertThat(r.bytesIn()).isEqualTo(4);
        assertThat(r.bytesOut()).isEqualTo(9);
        assertThat(r.retries()).isZero();
        assertThat(r.durationMicros()).isPositive();
        assertThat(r.cause()).isEqualTo("fin: both sides finished");
        assertThat(r.combined()).startsWith("127.0.0.1 - - [").contains("] \"TCP - -\" 200 9 \"-\" \"-\"");
        assertThat(r.json()).contains("\"method\":\"TCP\",\"uri\":null,\"protocol\":null,\"status\":200,\"pool\":\"app\",\"backend\":\"a\"",
                "\"bytes_in\":4,\"bytes_out\":9", "\"cause\":\"fin: both sides finished\"");
        assertThat(r.format()).contains(" web \"TCP - -\" 200 app/a in=4 out=9 ");
    }

    @Test
    void theAddressATrustedProxyHeaderCarriedIsLogged() throws Exception {
        f.proxyProtocol = new ProxyProtocolConfig(List.of(Cidr.parse("127.0.0.0/8")));
        start(echo("a"));
        try (Socket s = TcpClient.open(f.port())) {
            s.getOutputStream().write("PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\nx".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            s.getInputStream().readAllBytes();
        }
        AccessRecord r = line();
        assertThat(r.client()).isEqualTo("192.0.2.7");
        assertThat(r.bytesIn()).isEqualTo(1);
    }

    @Test
    void aValidatorsRefusalIsLoggedWithWhy() throws Exception {
        f.validate = TcpValidateConfig.resp(4096, List.of("PING"), "-ERR command not allowed\r\n");
        start(echo("a"));
        try (Socket s = TcpClient.open(f.port())) {
            s.getOutputStream().write("*1\r\n$8\r\nFLUSHALL\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("-ERR command not allowed\r\n");
        }
        AccessRecord r = line();
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.bytesIn()).isZero();
        assertThat(r.cause()).isEqualTo("refused by validator: resp: a command name of 8 bytes is not one of [PING]");
    }

    @Test
    void anIdleTimeoutIsLogged() throws Exception {
        f.clientIdle = Duration.ofMillis(300);
        start(echo("a"));
        try (Socket s = TcpClient.open(f.port())) {
            assertThat(TcpClient.roundTrip(s, "x")).isEqualTo("x");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        AccessRecord r = line();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.backend()).isEqualTo("app/a");
        assertThat(r.cause()).isEqualTo("idle timeout: idle for 300 ms");
    }

    @Test
    void noReachableServerIsA502WithTheRetries() throws Exception {
        f.retries = 1;
        start(new ServerConfig("dead", "127.0.0.1", RawServer.closedPort(), 1, null),
                new ServerConfig("gone", "127.0.0.1", RawServer.closedPort(), 1, null));
        try (Socket s = TcpClient.open(f.port())) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (SocketException reset) {
            // closed before anything was read: as good as a FIN here
        }
        AccessRecord r = line();
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.backend()).isEqualTo("-");
        assertThat(r.retries()).isEqualTo(1);
        assertThat(r.cause()).startsWith("no server of pool 'app' could be reached; last: ");
    }

    @Test
    void aDeniedClientIsA403() throws Exception {
        f.guard = new GuardConfig(0, 0, 0, 0, List.of(), List.of(Cidr.parse("127.0.0.0/8")));
        start(echo("a"));
        try (Socket s = TcpClient.open(f.port())) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (SocketException reset) {
            // as good as a FIN
        }
        AccessRecord r = line();
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.backend()).isEqualTo("-");
        assertThat(r.cause()).startsWith("refused at accept");
    }
}
