package io.switchboard.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.switchboard.config.Cidr;
import io.switchboard.config.GuardConfig;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.probe.NoLeaksExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** Connection limits, allow/deny lists and the rate limit of a listener, on a real proxy on 127.0.0.1. */
@ExtendWith(NoLeaksExtension.class)
class GuardIT {
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final String GET_CLOSE = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    private static final Pattern STATUS = Pattern.compile("(?m)^HTTP/1\\.1 (\\d{3})");

    private final List<AutoCloseable> open = new ArrayList<>();
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

    private ProxyFixture proxy(GuardConfig guard) throws Exception {
        ProxyFixture fx = new ProxyFixture().backends("b1");
        fx.guard = guard;
        open.add(fx);
        return fx.start();
    }

    private static GuardConfig connections(int max, int perIp) {
        return new GuardConfig(max, perIp, 0, 0, List.of(), List.of());
    }

    private static GuardConfig lists(List<String> allow, List<String> deny) {
        return new GuardConfig(0, 0, 0, 0, allow.stream().map(Cidr::parse).toList(), deny.stream().map(Cidr::parse).toList());
    }

    private List<String> logged() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    // ---------------------------------------------------------------- connection limits

    @Test
    void aConnectionOverThePerClientLimitIsClosedAtAccept() throws Exception {
        ProxyFixture fx = proxy(connections(0, 2));
        Client a = connect(fx);
        Client b = connect(fx);
        assertThat(a.exchange(GET)).isEqualTo(List.of(200)); // both accepted and kept open
        assertThat(b.exchange(GET)).isEqualTo(List.of(200));
        Reply refused = send(fx, GET);
        assertThat(refused.text).as("closed without an answer").isEmpty();
        assertThat(refused.closed).isTrue();
        assertThat(logged()).anySatisfy(l -> assertThat(l).isEqualTo("listener web: closed connection at accept from 127.0.0.1:"
                + " 2 connections open from this client (max-connections-per-ip: 2)"));
        a.close();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> send(fx, GET_CLOSE).statuses().equals(List.of(200)));
        b.close();
    }

    @Test
    void aConnectionOverTheListenerLimitIsClosedAtAccept() throws Exception {
        ProxyFixture fx = proxy(connections(1, 0));
        Client a = connect(fx);
        assertThat(a.exchange(GET)).isEqualTo(List.of(200));
        assertThat(send(fx, GET).text).isEmpty();
        assertThat(logged()).anySatisfy(l -> assertThat(l).contains("1 connections open on the listener (max-connections: 1)"));
        a.close();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> send(fx, GET_CLOSE).statuses().equals(List.of(200)));
    }

    // ---------------------------------------------------------------- allow and deny

    @Test
    void aDeniedClientGets403AndNothingReachesTheBackEnd() throws Exception {
        ProxyFixture fx = proxy(lists(List.of(), List.of("127.0.0.0/8")));
        Reply r = send(fx, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" + GET);
        assertThat(r.statuses()).containsExactly(403);
        assertThat(r.closed).isTrue();
        assertThat(r.text.toLowerCase(Locale.ROOT)).contains("connection: close");
        assertThat(r.text).endsWith("\r\n\r\n403 Forbidden: your address may not use this service\n");
        assertThat(fx.backends.get(0).requestCount()).isZero();
        assertThat(fx.accessLog).singleElement().satisfies(rec -> {
            assertThat(rec.status()).isEqualTo(403);
            assertThat(rec.method()).isEqualTo("POST");
            assertThat(rec.cause()).isEqualTo("client address in deny 127.0.0.0/8");
        });
        assertThat(logged()).containsExactly("listener web: answered 403 to 127.0.0.1: in deny 127.0.0.0/8");
    }

    @Test
    void anAllowListWithoutTheClientRefusesIt() throws Exception {
        ProxyFixture fx = proxy(lists(List.of("10.0.0.0/8", "::1"), List.of()));
        assertThat(send(fx, GET).statuses()).containsExactly(403);
        assertThat(fx.accessLog).singleElement().satisfies(rec -> assertThat(rec.cause()).isEqualTo("client address not in the allow list"));
    }

    @Test
    void theMostSpecificNetworkWins() throws Exception {
        ProxyFixture fx = proxy(lists(List.of("127.0.0.1"), List.of("127.0.0.0/8")));
        assertThat(send(fx, GET_CLOSE).statuses()).containsExactly(200);
    }

    // ---------------------------------------------------------------- rate limit

    @Test
    void overTheRateAClientGets429WithRetryAfterAndIsDisconnected() throws Exception {
        // 0.001 requests per second: nothing refills while the test runs, so the burst is all there is.
        ProxyFixture fx = proxy(new GuardConfig(0, 0, 0.001, 3, List.of(), List.of()));
        for (int i = 0; i < 3; i++) assertThat(send(fx, GET_CLOSE).statuses()).containsExactly(200);
        Reply r = send(fx, GET);
        assertThat(r.statuses()).containsExactly(429);
        assertThat(r.closed).isTrue();
        assertThat(r.text.toLowerCase(Locale.ROOT)).contains("retry-after: 1000").contains("connection: close");
        assertThat(fx.backends.get(0).requestCount()).isEqualTo(3);
        assertThat(fx.accessLog).last().satisfies(rec -> {
            assertThat(rec.status()).isEqualTo(429);
            assertThat(rec.cause()).isEqualTo("rate limit: more than 0.001 requests per second (burst 3)");
        });
        assertThat(logged()).containsExactly("listener web: answered 429 to 127.0.0.1: more than 0.001 requests per second (burst 3)");
    }

    @Test
    void pipelinedRequestsOverTheRateAreAnsweredInOrder() throws Exception {
        ProxyFixture fx = proxy(new GuardConfig(0, 0, 0.001, 3, List.of(), List.of()));
        Reply r = send(fx, GET.repeat(3) + "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" + GET);
        assertThat(r.statuses()).containsExactly(200, 200, 200, 429);
        assertThat(r.closed).isTrue();
        assertThat(fx.backends.get(0).requestCount()).isEqualTo(3);
    }

    // ---------------------------------------------------------------- raw client

    private record Reply(String text, boolean closed) {
        List<Integer> statuses() {
            List<Integer> out = new ArrayList<>();
            Matcher m = STATUS.matcher(text);
            while (m.find()) out.add(Integer.parseInt(m.group(1)));
            return out;
        }
    }

    /** Sends {@code wire} on a new connection and reads until the proxy closes it. */
    private static Reply send(ProxyFixture fx, String wire) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", fx.port()), 5000);
            s.getOutputStream().write(wire.getBytes(StandardCharsets.ISO_8859_1));
            return read(s.getInputStream(), s, -1);
        }
    }

    private static Reply read(InputStream in, Socket s, int responses) throws IOException {
        s.setSoTimeout(10_000);
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[8192];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) return new Reply(sb.toString(), true);
                sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                if (responses > 0 && new Reply(sb.toString(), false).statuses().size() >= responses && sb.toString().endsWith("\n")) {
                    return new Reply(sb.toString(), false);
                }
            }
        } catch (SocketException reset) {
            return new Reply(sb.toString(), true);
        } catch (SocketTimeoutException e) {
            return new Reply(sb.toString(), false);
        }
    }

    private Client connect(ProxyFixture fx) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", fx.port()), 5000);
        Client c = new Client(s);
        open.add(c);
        return c;
    }

    /** A keep-alive connection: one request, one (small, Content-Length) response at a time. */
    private record Client(Socket socket) implements AutoCloseable {
        List<Integer> exchange(String request) throws IOException {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return read(socket.getInputStream(), socket, 1).statuses();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
