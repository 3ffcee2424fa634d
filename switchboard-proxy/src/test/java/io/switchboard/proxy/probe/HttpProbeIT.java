package io.switchboard.proxy.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.switchboard.backend.Backend;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.proxy.RawServer;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.demo.DemoBackend;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link HttpProbe} and {@link TcpProbe} against real sockets on 127.0.0.1, one probe at a time. */
@ExtendWith(NoLeaksExtension.class)
class HttpProbeIT {
    /** -Dswitchboard.transport=nio runs the same tests over NIO (error wording differs per transport). */
    private static final Transport TRANSPORT = Transport.select(System.getProperty("switchboard.transport", "auto"));
    private static EventLoopGroup group;

    @BeforeAll
    static void startGroup() {
        group = TRANSPORT.newGroup(1, r -> {
            Thread t = new Thread(r, "probe-it");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static HealthCheckConfig http(String host, int min, int max, Duration timeout) {
        return new HealthCheckConfig(HealthCheckConfig.Type.HTTP, "GET", "/health", host, min, max,
                Duration.ofMillis(100), timeout, 0.1, 2, 3);
    }

    private static HealthCheckConfig http() {
        return http(null, 200, 399, Duration.ofSeconds(5));
    }

    private static Backend backend(int port) {
        return new Backend("app", "alpha", "127.0.0.1", port);
    }

    private static ProbeResult run(HealthProbe probe, int port) throws Exception {
        return probe.probe(backend(port)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void healthyBackendPassesWithStatusAndLatency() throws Exception {
        try (DemoBackend demo = new DemoBackend("alpha", TRANSPORT, group, 0, 0).start("127.0.0.1", 0)) {
            ProbeResult r = run(new HttpProbe(http(), TRANSPORT, group), demo.port());

            assertThat(r.ok()).isTrue();
            assertThat(r.detail()).matches("HTTP 200 in \\d+ ms");
            HttpRequest head = demo.requests().getLast();
            assertThat(head.method().name()).isEqualTo("GET");
            assertThat(head.uri()).isEqualTo("/health");
            assertThat(head.headers().get(HttpHeaderNames.HOST)).isEqualTo("127.0.0.1:" + demo.port());
            assertThat(head.headers().get(HttpHeaderNames.USER_AGENT)).isEqualTo("switchboard-health");
            assertThat(head.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        }
    }

    @Test
    void configuredHostHeaderIsSent() throws Exception {
        try (DemoBackend demo = new DemoBackend("alpha", TRANSPORT, group, 0, 0).start("127.0.0.1", 0)) {
            ProbeResult r = run(new HttpProbe(http("app.example", 200, 399, Duration.ofSeconds(5)), TRANSPORT, group), demo.port());

            assertThat(r.ok()).isTrue();
            assertThat(demo.requests().getLast().headers().get(HttpHeaderNames.HOST)).isEqualTo("app.example");
        }
    }

    @Test
    void statusOutsideTheRangeFailsNamingTheStatusAndTheRange() throws Exception {
        try (DemoBackend demo = new DemoBackend("alpha", TRANSPORT, group, 0, 0).start("127.0.0.1", 0)) {
            demo.setHealthy(false);

            assertThat(run(new HttpProbe(http(), TRANSPORT, group), demo.port()))
                    .isEqualTo(ProbeResult.failed("HTTP 503 (expected 200-399)"));
            assertThat(run(new HttpProbe(http(null, 200, 200, Duration.ofSeconds(5)), TRANSPORT, group), demo.port()))
                    .isEqualTo(ProbeResult.failed("HTTP 503 (expected 200)"));
        }
    }

    @Test
    void refusedConnectFails() throws Exception {
        int port = RawServer.closedPort();

        assertThat(run(new HttpProbe(http(), TRANSPORT, group), port)).isEqualTo(ProbeResult.failed("connect refused"));
        assertThat(run(new TcpProbe(http(), TRANSPORT, group), port)).isEqualTo(ProbeResult.failed("connect refused"));
    }

    @Test
    void tcpProbePassesOnConnect() throws Exception {
        try (DemoBackend demo = new DemoBackend("alpha", TRANSPORT, group, 0, 0).start("127.0.0.1", 0)) {
            ProbeResult r = run(new TcpProbe(http(), TRANSPORT, group), demo.port());

            assertThat(r.ok()).isTrue();
            assertThat(r.detail()).matches("TCP connect in \\d+ ms");
        }
    }

    @Test
    void silentServerTimesOutAndTheConnectionIsClosed() throws Exception {
        CountDownLatch closedByProbe = new CountDownLatch(1);
        try (RawServer server = RawServer.answering(s -> {
            RawServer.awaitEof(s);
            closedByProbe.countDown();
        })) {
            ProbeResult r = run(new HttpProbe(http(null, 200, 399, Duration.ofMillis(200)), TRANSPORT, group), server.port());

            assertThat(r).isEqualTo(ProbeResult.failed("timeout after 200 ms"));
            assertThat(closedByProbe.await(10, TimeUnit.SECONDS)).as("probe closed its connection").isTrue();
        }
    }

    @Test
    void cancellingAProbeClosesItsConnection() throws Exception {
        CountDownLatch accepted = new CountDownLatch(1);
        CountDownLatch closedByProbe = new CountDownLatch(1);
        try (RawServer server = RawServer.answering(s -> {
            accepted.countDown();
            RawServer.awaitEof(s);
            closedByProbe.countDown();
        })) {
            var f = new HttpProbe(http(), TRANSPORT, group).probe(backend(server.port()));
            assertThat(accepted.await(10, TimeUnit.SECONDS)).isTrue();

            f.cancel(false);

            assertThat(closedByProbe.await(10, TimeUnit.SECONDS)).as("probe closed its connection").isTrue();
        }
    }

    @Test
    void closeBeforeResponseFails() throws Exception {
        try (RawServer server = RawServer.answering(RawServer::readHead)) {
            assertThat(run(new HttpProbe(http(), TRANSPORT, group), server.port()))
                    .isEqualTo(ProbeResult.failed("connection closed before response"));
        }
    }

    @Test
    void resetFails() throws Exception {
        try (RawServer server = RawServer.answering(s -> {
            RawServer.readHead(s);
            s.setSoLinger(true, 0); // close sends RST
        })) {
            assertThat(run(new HttpProbe(http(), TRANSPORT, group), server.port()))
                    .isEqualTo(ProbeResult.failed("connection reset"));
        }
    }

    @Test
    void somethingThatIsNotHttpFails() throws Exception {
        try (RawServer server = RawServer.answering(s -> {
            RawServer.readHead(s);
            OutputStream out = s.getOutputStream();
            out.write("SSH-2.0-OpenSSH_9.6\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawServer.awaitEof(s);
        })) {
            ProbeResult r = run(new HttpProbe(http(), TRANSPORT, group), server.port());

            assertThat(r.ok()).isFalse();
            assertThat(r.detail()).startsWith("invalid HTTP response: ");
        }
    }

    @Test
    void aProbeOnAStoppedGroupFailsInsteadOfThrowing() throws Exception {
        EventLoopGroup stopped = TRANSPORT.newGroup(1, r -> {
            Thread t = new Thread(r, "stopped");
            t.setDaemon(true);
            return t;
        });
        stopped.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();

        ProbeResult r = run(new HttpProbe(http(), TRANSPORT, stopped), 9);

        assertThat(r.ok()).isFalse();
        assertThat(r.detail()).startsWith("probe not started: ");
    }
}
