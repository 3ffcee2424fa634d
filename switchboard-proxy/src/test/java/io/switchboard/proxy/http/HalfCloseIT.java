package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.switchboard.proxy.ProxyFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that sends its request and then shuts its side down (a FIN: {@code printf ... | nc -N},
 * scripts, some health checkers) still gets the answer Switchboard gives that request itself, on
 * every transport. On io_uring the FIN used to close the connection before the answer's write
 * completed: nothing came back (HAProxy and NGINX both answer 400 here).
 */
class HalfCloseIT {

    private static String sendThenHalfClose(int port, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) got.write(buf, 0, n);
            } catch (SocketTimeoutException e) {
                // kept open: return what came
            } catch (IOException e) {
                // reset after what came
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** A proxy on {@code transport} over one back end; the test is skipped, saying why, where the transport is unavailable. */
    private static ProxyFixture started(String transport) throws Exception {
        if (transport.equals("io_uring")) assumeTrue(IoUring.isAvailable(), "io_uring unavailable: " + IoUring.unavailabilityCause());
        if (transport.equals("epoll")) assumeTrue(Epoll.isAvailable(), "epoll unavailable: " + Epoll.unavailabilityCause());
        ProxyFixture f = new ProxyFixture(transport);
        try {
            f.backends("a").start();
            return f;
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void aMalformedChunkedBodyFollowedByAFinGets400(String transport) throws Exception {
        try (ProxyFixture f = started(transport)) {
            for (String bad : new String[] {"zz", "ffffffffffffffffff1", "2;a\nab"}) {
                String resp = sendThenHalfClose(f.port(), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + bad + "\r\nab\r\n0\r\n\r\n");
                assertThat(resp).as("chunk size '%s' on %s", bad, transport).startsWith("HTTP/1.1 400 ");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void aMalformedHeadFollowedByAFinGets400(String transport) throws Exception {
        try (ProxyFixture f = started(transport)) {
            assertThat(sendThenHalfClose(f.port(), "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"))
                    .startsWith("HTTP/1.1 400 ");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void wholeRequestsFollowedByAFinAreProxiedAndAnsweredThenTheConnectionCloses(String transport) throws Exception {
        try (ProxyFixture f = started(transport)) {
            String one = sendThenHalfClose(f.port(), "GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(one).as("one request on %s", transport).startsWith("HTTP/1.1 200 ");
            String two = sendThenHalfClose(f.port(), "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(two.split("HTTP/1.1 200 ", -1)).as("two pipelined requests on %s: %s", transport, two).hasSize(3);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void aRequestCutShortByAFinIsDroppedAsAClientThatLeft(String transport) throws Exception {
        try (ProxyFixture f = started(transport)) {
            String resp = sendThenHalfClose(f.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
            assertThat(resp).as("no answer to a body that cannot arrive, on %s", transport).isEmpty();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(f.accessLog).anySatisfy(r -> assertThat(r.status()).isEqualTo(499)));
        }
    }
}
