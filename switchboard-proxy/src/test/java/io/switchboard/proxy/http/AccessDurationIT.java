package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.probe.NoLeaksExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The access log's duration runs from the request's first byte to the answer's last: a head trickled
 * in over about a second, answered by the back end or by a 408, is logged as taking at least the time
 * between the first and the last piece the test sent (issue #11). Only lower bounds are asserted: the
 * proxy reads a piece when it arrives, so the recorded duration cannot be shorter than the gap the
 * test itself waited between pieces; nothing is asserted about how fast anything is.
 */
@ExtendWith(NoLeaksExtension.class)
class AccessDurationIT {
    private static final int PIECES = 5;
    private static final long GAP_MILLIS = 250;

    private ProxyFixture proxy;

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) proxy.close();
    }

    @Test
    void trickledHeadCountsFromItsFirstByte() throws Exception {
        proxy = new ProxyFixture().backends("b1").start();
        byte[] wire = "GET /slow HTTP/1.1\r\nHost: a\r\nX-Padding: abcdefghij\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        try (Socket s = connect()) {
            long spent = trickle(s.getOutputStream(), wire, wire.length);
            String reply = readAll(s);
            assertThat(reply).startsWith("HTTP/1.1 200");
            AccessRecord r = onlyRecord();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.durationMicros()).as("logged duration vs. %d us between the first and last piece sent", spent)
                    .isGreaterThanOrEqualTo(spent / 2);
        }
    }

    @Test
    void headTimeoutCountsFromTheFirstByteNotFromTheTimeout() throws Exception {
        proxy = new ProxyFixture();
        proxy.headerTimeout = Duration.ofMillis(PIECES * GAP_MILLIS + 500);
        proxy.backends("b1").start();
        byte[] wire = "GET /never-ends HTTP/1.1\r\nHost: a\r\nX-Padding: abcdefghij\r\n".getBytes(StandardCharsets.ISO_8859_1);
        try (Socket s = connect()) {
            long spent = trickle(s.getOutputStream(), wire, wire.length);
            String reply = readAll(s);
            assertThat(reply).startsWith("HTTP/1.1 408");
            AccessRecord r = onlyRecord();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.durationMicros()).as("logged duration vs. %d us between the first and last piece sent", spent)
                    .isGreaterThanOrEqualTo(spent / 2);
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends {@code wire[0, n)} in {@link #PIECES} pieces; returns the microseconds from the first piece sent to the last. */
    private static long trickle(OutputStream out, byte[] wire, int n) throws IOException, InterruptedException {
        int piece = (n + PIECES - 1) / PIECES;
        long firstSent = 0;
        long lastStarted = 0;
        for (int i = 0; i < n; i += piece) {
            if (i > 0) Thread.sleep(GAP_MILLIS);
            lastStarted = System.nanoTime();
            out.write(wire, i, Math.min(piece, n - i));
            out.flush();
            if (i == 0) firstSent = System.nanoTime();
        }
        return (lastStarted - firstSent) / 1000;
    }

    private static String readAll(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) >= 0; ) sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        return sb.toString();
    }

    private AccessRecord onlyRecord() {
        await().atMost(Duration.ofSeconds(5)).until(() -> !proxy.accessLog.isEmpty());
        assertThat(proxy.accessLog).hasSize(1);
        return proxy.accessLog.get(0);
    }
}
