package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.config.GuardConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Scrapes /metrics of a live admin listener after real traffic (and refusals) and parses it strictly. */
class MetricsIT {
    @Test
    void scrapeParsesAndCountsWhatHappened() throws Exception {
        try (AdminFixture f = new AdminFixture().start()) {
            for (int i = 0; i < 9; i++) assertThat(f.proxyGet("/").statusCode()).isEqualTo(200);
            for (int i = 0; i < 3; i++) assertThat(f.proxyGet("/other").statusCode()).isEqualTo(200);
            f.call("PATCH", "/api/v1/pools/demo/backends/charlie", "{\"state\":\"drain\",\"weight\":3}", AdminFixture.TOKEN);
            f.backend("alpha").setFailureRate(1.0);
            for (int i = 0; i < 4; i++) f.proxyGet("/"); // alternates alpha and bravo: two 500s from alpha

            HttpResponse<String> r = f.get("/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            PrometheusText m = PrometheusText.parse(r.body());

            assertThat(m.family("switchboard_requests_total").type()).isEqualTo("counter");
            double ok = 0;
            for (String b : new String[] {"alpha", "bravo", "charlie"}) {
                ok += m.value("switchboard_requests_total", "pool", "demo", "backend", b, "status_class", "2xx");
            }
            assertThat(ok).isEqualTo(14);
            assertThat(m.value("switchboard_requests_total", "pool", "demo", "backend", "alpha", "status_class", "5xx")).isEqualTo(2);

            assertThat(m.family("switchboard_request_duration_seconds").type()).isEqualTo("histogram");
            double count = 0;
            for (String b : new String[] {"alpha", "bravo", "charlie"}) {
                count += m.value("switchboard_request_duration_seconds_count", "pool", "demo", "backend", b);
            }
            assertThat(count).isEqualTo(16);
            assertThat(m.value("switchboard_request_duration_seconds_bucket", "pool", "demo", "backend", "bravo", "le", "+Inf"))
                    .isEqualTo(m.value("switchboard_request_duration_seconds_count", "pool", "demo", "backend", "bravo"));

            assertThat(m.value("switchboard_backend_state", "pool", "demo", "backend", "charlie", "state", "drain")).isEqualTo(1);
            assertThat(m.value("switchboard_backend_state", "pool", "demo", "backend", "charlie", "state", "up")).isZero();
            assertThat(m.value("switchboard_backend_weight", "pool", "demo", "backend", "charlie")).isEqualTo(3);
            assertThat(m.value("switchboard_backend_effective_weight", "pool", "demo", "backend", "charlie")).isZero();
            assertThat(m.value("switchboard_backend_in_flight", "pool", "demo", "backend", "alpha")).isZero();
            assertThat(m.value("switchboard_pool_eligible_backends", "pool", "demo")).isEqualTo(2);
            assertThat(m.value("switchboard_pool_backends", "pool", "demo")).isEqualTo(3);
            assertThat(m.value("switchboard_pool_queue_length", "pool", "demo")).isZero();
            assertThat(m.value("switchboard_backend_response_bytes_total", "pool", "demo", "backend", "bravo")).isPositive();
            assertThat(m.family("switchboard_backend_request_bytes_total").type()).isEqualTo("counter");
            assertThat(m.value("switchboard_backend_failures_total", "pool", "demo", "backend", "alpha")).isPositive();
            assertThat(m.family("switchboard_retries_total").type()).isEqualTo("counter");
            assertThat(m.family("switchboard_backend_ejections_total").type()).isEqualTo("counter");
            assertThat(m.family("switchboard_access_log_queue_length").type()).isEqualTo("gauge");
            assertThat(m.family("switchboard_netty_allocator_used_bytes").type()).isEqualTo("gauge");
            assertThat(m.value("switchboard_netty_allocator_arenas", "memory", "direct")).isPositive();
            assertThat(m.family("jvm_memory_used_bytes").type()).isEqualTo("gauge");
            assertThat(m.family("jvm_threads_current").type()).isEqualTo("gauge");
            for (PrometheusText.Family fam : m.families.values()) {
                assertThat(fam.help()).as("HELP of " + fam.name()).isNotBlank();
            }
        }
    }

    @Test
    void listenersCountOpenConnectionsAndWhatTheyRefused() throws Exception {
        try (AdminFixture f = new AdminFixture()) {
            f.guard = new GuardConfig(0, 3, 0.001, 3, List.of(), List.of()); // 3 connections per client, 3 requests then 429
            f.headerTimeout = Duration.ofSeconds(1);
            f.start();
            Socket a = connect(f);
            Socket b = connect(f);
            Socket c = connect(f);
            for (Socket s : List.of(a, b, c)) assertThat(exchange(s, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 200");
            try (Socket d = connect(f)) {
                assertThat(readToClose(d)).as("a fourth connection from the client is closed at accept").isEmpty();
            }
            assertThat(exchange(a, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 429");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(scrape(f).value("switchboard_listener_open_connections", "listener", "demo")).isEqualTo(2));
            b.close();
            c.close();
            a.close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(scrape(f).value("switchboard_listener_open_connections", "listener", "demo")).isZero());

            assertThat(refusedBy(f, new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x03})).startsWith("HTTP/1.1 400");
            assertThat(refusedBy(f, ("GET /" + "x".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)))
                    .startsWith("HTTP/1.1 414");
            assertThat(refusedBy(f, ("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "x".repeat(17000) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)))
                    .startsWith("HTTP/1.1 431");
            assertThat(refusedBy(f, "GET / HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.ISO_8859_1))).startsWith("HTTP/1.1 408");

            PrometheusText m = scrape(f);
            assertThat(m.family("switchboard_listener_open_connections").type()).isEqualTo("gauge");
            assertThat(m.family("switchboard_listener_refused_connections_total").type()).isEqualTo("counter");
            assertThat(m.family("switchboard_listener_refused_requests_total").type()).isEqualTo("counter");
            assertThat(m.family("switchboard_listener_proxy_protocol_refused_total").type()).isEqualTo("counter");
            assertThat(m.value("switchboard_listener_proxy_protocol_refused_total", "listener", "demo", "reason", "untrusted")).isZero();
            assertThat(m.value("switchboard_listener_refused_connections_total", "listener", "demo", "limit", "max-connections-per-ip"))
                    .isEqualTo(1);
            assertThat(m.value("switchboard_listener_refused_connections_total", "listener", "demo", "limit", "max-connections")).isZero();
            for (int status : new int[] {400, 408, 414, 429, 431}) {
                assertThat(m.value("switchboard_listener_refused_requests_total", "listener", "demo", "status", Integer.toString(status)))
                        .as("refused with " + status).isEqualTo(1);
            }
            assertThat(m.value("switchboard_listener_refused_requests_total", "listener", "demo", "status", "403")).isZero();
            assertThat(m.value("switchboard_listener_refused_requests_total", "listener", "demo", "status", "413")).isZero();
            assertThat(m.family("switchboard_listener_tls_handshake_failures_total").type()).isEqualTo("counter");
            assertThat(m.value("switchboard_listener_tls_handshake_failures_total", "listener", "demo")).isZero(); // plain text
            assertThat(m.value("switchboard_listener_validation_failures_total", "listener", "demo")).isZero(); // no validator
        }
    }

    @Test
    void headIsAnsweredLikeGetWithoutABody() throws Exception {
        try (AdminFixture f = new AdminFixture().start()) {
            HttpResponse<String> r = f.call("HEAD", "/metrics", null, null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(r.headers().firstValueAsLong("Content-Length").orElse(0)).as("Content-Length of the GET answer").isPositive();
            assertThat(r.body()).isEmpty();
            assertThat(f.call("POST", "/metrics", null, AdminFixture.TOKEN).statusCode()).isEqualTo(405);
        }
    }

    private static PrometheusText scrape(AdminFixture f) throws Exception {
        HttpResponse<String> r = f.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return PrometheusText.parse(r.body());
    }

    private static Socket connect(AdminFixture f) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", f.proxyPort()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends {@code wire} on a new connection and reads what the proxy answers until it closes. */
    /**
     * What a new connection that sends {@code wire} gets back before it is closed. Returns once the
     * listener no longer counts the connection: the count drops when the channel is inactive, which can
     * come just after the client saw the close, and a connection still counted would take one of the
     * 3 per client the next call needs (it would be closed at accept, with no answer).
     */
    private static String refusedBy(AdminFixture f, byte[] wire) throws IOException {
        String answer;
        try (Socket s = connect(f)) {
            s.getOutputStream().write(wire);
            s.getOutputStream().flush();
            answer = readToClose(s);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(scrape(f).value("switchboard_listener_open_connections", "listener", "demo")).isZero());
        return answer;
    }

    private static String readToClose(Socket s) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[8192];
        InputStream in = s.getInputStream();
        try {
            for (int n; (n = in.read(buf)) >= 0; ) sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        } catch (SocketException e) {
            // reset: closed all the same
        }
        return sb.toString();
    }

    /** One request on a kept-alive connection; reads one response framed by its Content-Length. */
    private static String exchange(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        int headEnd = -1;
        long length = -1;
        for (int n = 0; n < 1_000_000; n++) {
            int ch = in.read();
            if (ch < 0) break;
            sb.append((char) ch);
            if (headEnd < 0 && sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                headEnd = sb.length();
                Matcher cl = CONTENT_LENGTH.matcher(sb);
                length = cl.find() ? Long.parseLong(cl.group(1)) : 0;
            }
            if (headEnd >= 0 && sb.length() - headEnd >= length) break;
        }
        return sb.toString();
    }

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)");

    @Test
    void theParserIsStrict() {
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a_total counter\na_total{x=\"1} 1\n")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a counter\na 1\n")).hasMessageContaining("_total");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\nb 1\na 2\n")).hasMessageContaining("not together");
        assertThatThrownBy(() -> PrometheusText.parse("a{x=\"\\t\"} 1\n")).hasMessageContaining("bad escape");
        assertThatThrownBy(() -> PrometheusText.parse("a 1,5\n")).hasMessageContaining("bad number");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\na 2\n")).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                + "h_count 1\nh_sum 0.5\n")).hasMessageContaining("cumulative");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n"))
                .hasMessageContaining("+Inf");
        assertThatThrownBy(() -> PrometheusText.parse("a 1")).hasMessageContaining("newline");
        assertThat(PrometheusText.parse("# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"q\\\"\"} 1.5e3\n")
                .value("a_total", "x", "q\"")).isEqualTo(1500);
    }
}
