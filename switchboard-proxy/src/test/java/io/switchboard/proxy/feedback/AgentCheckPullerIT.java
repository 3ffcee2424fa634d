package io.switchboard.proxy.feedback;

import static io.switchboard.proxy.feedback.FeedbackPools.eventually;
import static io.switchboard.proxy.feedback.FeedbackPools.pool;
import static io.switchboard.proxy.feedback.FeedbackPools.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.LoadFeedbackConfig;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import io.switchboard.registry.Pool;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The agent-check pull against a raw TCP responder on loopback. */
class AgentCheckPullerIT {
    private final LoadReportCounters counters = new LoadReportCounters();
    private ServerSocket responder;
    private Thread responderThread;
    private AgentCheckPuller puller;

    @AfterEach
    void stop() throws Exception {
        if (puller != null) puller.close();
        if (responder != null) responder.close();
        if (responderThread != null) responderThread.join(5_000);
    }

    @Test
    void theAgentsAnswerReachesTheBackEnd() throws Exception {
        int port = respond("75% drain\n");
        Pool pool = pool("web", server("web-1", "127.0.0.1", 8081));
        puller = new AgentCheckPuller(pool, LoadFeedbackConfig.agentCheck(port, Duration.ofMillis(100),
                Duration.ofMillis(2000)), counters);
        puller.start();
        assertThat(eventually(() -> pool.backend("web-1").loadReport() != null)).isTrue();
        LoadReport r = pool.backend("web-1").loadReport();
        assertThat(r.state()).isEqualTo(AgentState.DRAIN);
        assertThat(r.weightPercent()).isEqualTo(75);
        assertThat(r.maxConn()).isEqualTo(LoadReport.UNKNOWN);
        assertThat(counters.pullsAnsweredTotal()).isPositive();
    }

    @Test
    void garbageIsNoDataNeverAReport() throws Exception {
        int port = respond("HTTP/1.1 400 Bad Request\r\n");
        Pool pool = pool("web", server("web-1", "127.0.0.1", 8081));
        puller = new AgentCheckPuller(pool, LoadFeedbackConfig.agentCheck(port, Duration.ofMillis(100),
                Duration.ofMillis(2000)), counters);
        puller.start();
        assertThat(eventually(() -> counters.pullsFailedTotal() >= 2)).isTrue();
        assertThat(pool.backend("web-1").loadReport()).isNull();
        assertThat(counters.pullsAnsweredTotal()).isZero();
    }

    @Test
    void aSilentPortIsNoData() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: connections are refused
        }
        Pool pool = pool("web", server("web-1", "127.0.0.1", 8081));
        puller = new AgentCheckPuller(pool, LoadFeedbackConfig.agentCheck(port, Duration.ofMillis(100),
                Duration.ofMillis(500)), counters);
        puller.start();
        assertThat(eventually(() -> counters.pullsFailedTotal() >= 2)).isTrue();
        assertThat(pool.backend("web-1").loadReport()).isNull();
    }

    /** A one-line agent: answers {@code line} to every connection and closes it; bounded to 10,000 answers. */
    private int respond(String line) throws IOException {
        responder = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        responderThread = Thread.ofPlatform().daemon().start(() -> {
            for (int i = 0; i < 10_000 && !responder.isClosed(); i++) {
                try (Socket s = responder.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(line.getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return; // closed by the test
                }
            }
        });
        return responder.getLocalPort();
    }
}
