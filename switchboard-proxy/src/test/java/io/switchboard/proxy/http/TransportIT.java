package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.switchboard.proxy.ProxyFixture;
import java.io.InputStream;
import java.net.BindException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The data path on each transport named explicitly: {@code auto} picks one (io_uring here), and the
 * other suites run on that one only. Keep-alive reuse, pipelining, a large upload and a large
 * download must behave the same on all three.
 */
class TransportIT {

    private static void assumeAvailable(String transport) {
        if (transport.equals("io_uring")) assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
        if (transport.equals("epoll")) assumeTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void theDataPathIsTheSameOnEveryTransport(String transport) throws Exception {
        assumeAvailable(transport);
        try (ProxyFixture f = new ProxyFixture(transport).backends("alpha", "bravo")) {
            f.start();
            assertThat(f.transport.name()).isEqualTo(transport);

            // Keep-alive: round robin over two back ends, on reused client connections.
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> r = f.get("/x" + i);
                assertThat(r.statusCode()).isEqualTo(200);
                bodies.add(r.body().trim());
            }
            assertThat(bodies).containsExactly("alpha", "bravo", "alpha", "bravo");
            // Accepted sockets have Nagle off (the transport's default, read back from the socket):
            // with it on, a response written in two pieces could wait for the client's delayed ACK.
            assertThat(f.proxy.clientChannels()).isNotEmpty().allSatisfy(ch ->
                    assertThat(ch.config().getOption(ChannelOption.TCP_NODELAY)).as(ch.toString()).isTrue());

            // Pipelining: three requests in one write, three answers in order.
            String resp = f.raw("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /c HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", Duration.ofSeconds(10));
            Matcher m = Pattern.compile("HTTP/1\\.1 200 ").matcher(resp);
            int answers = 0;
            while (m.find()) answers++;
            assertThat(answers).as(resp).isEqualTo(3);

            // A 3 MB upload streams through and is counted by the back end.
            byte[] up = new byte[3_000_000];
            for (int i = 0; i < up.length; i++) up[i] = (byte) i;
            HttpResponse<String> u = f.client().send(HttpRequest.newBuilder(f.uri("/upload"))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(up)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(u.statusCode()).isEqualTo(200);
            assertThat(u.body().trim()).isEqualTo("3000000");

            // An 8 MB download arrives whole.
            HttpResponse<InputStream> d = f.client().send(HttpRequest.newBuilder(f.uri("/bytes?n=8000000"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(d.statusCode()).isEqualTo(200);
            long n = 0;
            try (InputStream in = d.body()) {
                byte[] buf = new byte[65536];
                for (int r; (r = in.read(buf)) > 0; ) n += r;
            }
            assertThat(n).isEqualTo(8_000_000L);

            assertThat(f.accessLog).filteredOn(a -> a.uri().equals("/bytes?n=8000000"))
                    .singleElement().satisfies(a -> assertThat(a.bytesOut()).isEqualTo(8_000_000L));
        }
    }

    /**
     * SO_REUSEPORT would let a second instance started by mistake bind the same port and take part
     * of the connections without a word; the start must fail instead, naming the address.
     */
    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void aSecondInstanceOnTheSamePortFailsToStart(String transport) throws Exception {
        assumeAvailable(transport);
        try (ProxyFixture first = new ProxyFixture(transport).backends("alpha");
             ProxyFixture second = new ProxyFixture(transport).backends("bravo")) {
            first.start();
            int port = first.port();
            second.listenPort = port;
            assertThatThrownBy(second::start).isInstanceOf(BindException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + port + " (listener 'web')");
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = first.get("/n" + i);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body().trim()).isEqualTo("alpha");
            }
        }
    }
}
