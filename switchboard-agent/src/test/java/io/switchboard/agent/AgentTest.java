package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.load.AgentState;
import io.switchboard.load.ReportCodec;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent in this JVM on real sockets: pushed reports decode under the key, with figures from this host. */
class AgentTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void pushesSignedReportsWithIncreasingSequencesAndTheWebServersWorkers() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        HttpServer apache = HttpServer.create(new InetSocketAddress(lo, 0), 0);
        apache.createContext("/server-status", x -> {
            byte[] body = ServerStatusTest.APACHE.getBytes(StandardCharsets.US_ASCII);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        apache.start();
        Path state = dir.resolve("state");
        Files.writeString(state, "drain\n");
        try (DatagramSocket balancer = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            balancer.setSoTimeout(10_000);
            URI status = URI.create("http://127.0.0.1:" + apache.getAddress().getPort() + "/server-status?auto");
            AgentConfig c = new AgentConfig("web-1", Duration.ofMillis(100), null,
                    List.of((InetSocketAddress) balancer.getLocalSocketAddress()), KEY, null, status, state, 1, -1, Path.of("/proc"));
            try (Agent agent = Agent.start(c)) {
                assertThat(agent.agentCheckAddress()).as("no --agent-check-port").isNull();
                ReportCodec codec = new ReportCodec(KEY);
                long previous = Long.MIN_VALUE;
                ReportCodec.Datagram d = null;
                // the first reports may miss the status page (a first fetch on a cold JVM); bounded either way
                for (int i = 0; i < 5 || (d.report().busyWorkers() < 0 && i < 100); i++) {
                    DatagramPacket p = new DatagramPacket(new byte[ReportCodec.MAX_SIZE], ReportCodec.MAX_SIZE);
                    balancer.receive(p);
                    d = codec.decode(p.getData(), 0, p.getLength(), System.nanoTime());
                    assertThat(d.sequence()).isGreaterThan(previous);
                    previous = d.sequence();
                }
                assertThat(d.server()).isEqualTo("web-1");
                assertThat(Math.abs(d.sentMillis() - System.currentTimeMillis())).isLessThan(60_000);
                assertThat(d.sequence() / 1000).as("starts from the clock in microseconds")
                        .isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());
                assertThat(d.report().cpus()).isPositive();
                assertThat(d.report().memAvailable()).isPositive();
                assertThat(d.report().cpuBusy()).isBetween(0.0, 1.0);
                assertThat(d.report().weightPercent()).isBetween(1, 100);
                assertThat(d.report().busyWorkers()).isEqualTo(3);
                assertThat(d.report().idleWorkers()).isEqualTo(72);
                assertThat(d.report().state()).isEqualTo(AgentState.DRAIN);
            }
        } finally {
            apache.stop(0);
        }
    }
}
