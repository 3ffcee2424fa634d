package io.switchboard.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpRequest;
import io.switchboard.config.Http2Config;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.demo.DemoBackend;
import io.switchboard.proxy.guard.StrictParsingCorpus.Case;
import io.switchboard.proxy.probe.NoLeaksExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The strict-parsing corpus against a real proxy on 127.0.0.1: raw bytes in, and for each case the
 * exact status the client got, whether its connection was closed, what the back end received, and
 * the reason in the access log. Bad responses come from a scripted back end, and the test checks
 * that the proxy closed that back-end connection instead of pooling it.
 */
@ExtendWith(NoLeaksExtension.class)
class StrictParsingIT {
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3})");
    private static final Pattern ABSOLUTE = Pattern.compile("[A-Z]+ (?i:https?)://([^/?# ]+)");
    private static final Pattern HOST = Pattern.compile("\r\nHost: ([^\r]*)\r\n");

    private static ProxyFixture demo;
    private static ProxyFixture scripted;
    private static ScriptedBackend backend;

    @BeforeAll
    static void start() throws Exception {
        demo = new ProxyFixture().backends("b1");
        demo.maxBody = 100;
        // The corpus is HTTP/1.x: with HTTP/2 on, its preface case would open an h2c connection
        // (Http2IT covers that); off, the preface is an unsupported version like any other.
        demo.http2 = Http2Config.DISABLED;
        demo.start();
        backend = new ScriptedBackend();
        scripted = new ProxyFixture();
        scripted.retries = 0;
        scripted.passive = new PassiveHealthConfig(0, false, Duration.ofSeconds(10), Duration.ofSeconds(10)); // never eject
        scripted.start(List.of(new ServerConfig("raw", "127.0.0.1", backend.port(), 1, null)));
    }

    @AfterAll
    static void stop() throws IOException {
        if (demo != null) demo.close();
        if (scripted != null) scripted.close();
        if (backend != null) backend.close();
    }

    @BeforeEach
    void clearLogs() {
        demo.accessLog.clear();
        scripted.accessLog.clear();
    }

    static Stream<Case> rejectedRequests() {
        return StrictParsingCorpus.REJECTED_REQUESTS.stream();
    }

    static Stream<Case> acceptedRequests() {
        return StrictParsingCorpus.ACCEPTED_REQUESTS.stream();
    }

    static Stream<Case> badResponses() {
        return StrictParsingCorpus.BAD_RESPONSES.stream();
    }

    static Stream<Case> goodResponses() {
        return StrictParsingCorpus.GOOD_RESPONSES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedRequests")
    void rejectedRequestIsAnsweredClosedAndNeverForwarded(Case c) throws IOException {
        DemoBackend b1 = demo.backends.get(0);
        long before = b1.requestCount();
        Reply reply = send(demo.port(), c.wire());
        assertThat(reply.status()).as(reply.text).isEqualTo(c.status());
        assertThat(reply.closed).as("connection closed").isTrue();
        assertThat(reply.text.toLowerCase(Locale.ROOT)).contains("connection: close");
        assertThat(b1.requestCount()).as("requests the back end received").isEqualTo(before);
        assertThat(demo.accessLog).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(c.status());
            // A bad chunked body is found after a back end was chosen for its (valid) head; nothing was sent to it.
            assertThat(r.backend()).isEqualTo(c.name().startsWith("chunk-") ? "app/b1" : "-");
            assertThat(r.cause()).contains(c.cause());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedRequests")
    void acceptedRequestReachesTheBackEndWithoutConnectionSpecificFields(Case c) throws IOException {
        DemoBackend b1 = demo.backends.get(0);
        long before = b1.requestCount();
        Reply reply = send(demo.port(), c.wire());
        assertThat(reply.status()).as(reply.text).isEqualTo(200);
        assertThat(reply.closed).isTrue();
        assertThat(b1.requestCount()).isEqualTo(before + 1);
        HttpRequest seen = b1.requests().get(b1.requests().size() - 1);
        assertThat(seen.headers().contains("Upgrade")).isFalse();
        assertThat(seen.headers().contains("HTTP2-Settings")).isFalse();
        assertThat(seen.headers().contains("Connection")).isFalse();
        assertThat(seen.headers().names()).as("field names with '_' are never forwarded").noneMatch(n -> n.contains("_"));
        // What the back end sees: origin-form (or '*'), and a Host, the target's authority if it had one.
        assertThat(seen.uri()).matches("/.*|\\*");
        List<String> hosts = seen.headers().getAll("Host");
        assertThat(hosts).as("Host fields seen by the back end").hasSize(1);
        Matcher absolute = ABSOLUTE.matcher(c.wire());
        Matcher host = HOST.matcher(c.wire());
        if (absolute.lookingAt()) {
            assertThat(hosts.get(0)).isEqualTo(absolute.group(1));
        } else if (host.find()) {
            assertThat(hosts.get(0)).isEqualTo(host.group(1));
        }
        if (seen.uri().startsWith("/upload")) assertThat(reply.text).endsWith("\r\n\r\n5\n");
        assertThat(demo.accessLog).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.backend()).isEqualTo("app/b1");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badResponses")
    void badResponseIs502AndItsConnectionIsClosed(Case c) throws IOException {
        backend.reply(c.wire(), true);
        int closedBefore = backend.closedAfterBadReply();
        Reply reply = send(scripted.port(), "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assertThat(reply.status()).as(reply.text).isEqualTo(c.status());
        assertThat(reply.closed).isTrue();
        if (c.status() == 200) {
            assertThat(reply.text).as("a body broken after it started is cut short").doesNotContain("0\r\n\r\n");
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).untilAsserted(() ->
                assertThat(backend.closedAfterBadReply()).as("back-end connection closed, never pooled").isEqualTo(closedBefore + 1));
        assertThat(scripted.accessLog).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(c.status() == 200 ? 200 : 502);
            assertThat(r.cause()).contains(c.cause());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodResponses")
    void goodResponseIsRelayedAndItsConnectionReused(Case c) throws IOException {
        backend.reply(c.wire(), false);
        Reply first = send(scripted.port(), "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", true);
        assertThat(first.status()).as(first.text).isEqualTo(200);
        int opened = backend.accepted();
        // Same client connection, so the same event loop and its pool of back-end connections.
        assertThat(first.next("GET /y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").status()).isEqualTo(200);
        assertThat(backend.accepted()).as("second request on the pooled connection").isEqualTo(opened);
        assertThat(scripted.accessLog).extracting(AccessRecord::status).containsExactly(200, 200);
    }

    // ---------------------------------------------------------------- raw client

    /** What came back on one connection; {@code closed} when the proxy closed it. */
    private record Reply(String text, boolean closed, Socket socket) {
        /** The status of the last status line (after any 1xx). */
        int status() {
            Matcher m = STATUS.matcher(text);
            int status = -1;
            while (m.find()) {
                if (m.start() == 0 || text.startsWith("\r\n", m.start() - 2)) status = Integer.parseInt(m.group(1));
            }
            return status;
        }

        Reply next(String wire) throws IOException {
            try (Socket s = socket) {
                s.getOutputStream().write(wire.getBytes(StandardCharsets.ISO_8859_1));
                return read(s, false);
            }
        }
    }

    private static Reply send(int port, String wire) throws IOException {
        return send(port, wire, false);
    }

    /** @param keepOpen read one response only and leave the connection open for {@link Reply#next} */
    private static Reply send(int port, String wire, boolean keepOpen) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.getOutputStream().write(wire.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            Reply r = read(s, keepOpen);
            if (!keepOpen) s.close();
            return r;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Reads until the proxy closes (or, with {@code oneResponse}, until one complete Content-Length response). */
    private static Reply read(Socket s, boolean oneResponse) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[8192];
        boolean closed = false;
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    closed = true;
                    break;
                }
                sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                if (oneResponse && complete(sb)) break;
            }
        } catch (SocketException e) {
            if (sb.isEmpty()) throw e;
            closed = true; // reset after the response: closed all the same
        } catch (SocketTimeoutException e) {
            // still open
        }
        return new Reply(sb.toString(), closed, s);
    }

    /** Whether {@code sb} holds a final (non-1xx) response with its whole (Content-Length or chunked) body. */
    private static boolean complete(StringBuilder sb) {
        int start = 0;
        while (true) {
            int end = sb.indexOf("\r\n\r\n", start);
            if (end < 0) return false;
            String head = sb.substring(start, end);
            if (head.startsWith("HTTP/1.1 1")) {
                start = end + 4;
                continue;
            }
            if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                int last = sb.indexOf("\r\n0\r\n", end);
                return last >= 0 && sb.indexOf("\r\n\r\n", last + 2) >= 0;
            }
            Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            return m.find() && sb.length() >= end + 4 + Integer.parseInt(m.group(1));
        }
    }
}
