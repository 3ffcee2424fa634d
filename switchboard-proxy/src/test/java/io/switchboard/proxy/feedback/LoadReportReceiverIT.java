package io.switchboard.proxy.feedback;

import static io.switchboard.proxy.feedback.FeedbackPools.eventually;
import static io.switchboard.proxy.feedback.FeedbackPools.pool;
import static io.switchboard.proxy.feedback.FeedbackPools.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.LoadReportsConfig;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import io.switchboard.load.ReportCodec;
import io.switchboard.registry.Pool;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Datagrams made with ReportCodec, sent over loopback UDP to a running receiver. */
class LoadReportReceiverIT {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final LoadReport REPORT = new LoadReport(0, 0, 0.25, 1.5, 4, 3, 1L << 30, 40, 5, 6, 80, 100,
            AgentState.UP);

    private final Pool web = pool("web", server("web-1", "127.0.0.1", 8081), server("web-2", "127.0.0.2", 8082));
    private final Pool other = pool("other", server("db-1", "127.0.0.3", 5432));
    private final LoadReportCounters counters = new LoadReportCounters();
    private final ReportCodec codec = new ReportCodec(KEY);
    private LoadReportReceiver receiver;
    private DatagramChannel sender;
    private long sequence = 1;

    @BeforeEach
    void start() throws Exception {
        receiver = new LoadReportReceiver(new LoadReportsConfig("127.0.0.1", 0, KEY, "test", Duration.ofSeconds(3)), counters);
        receiver.pools(List.of(web)); // "other" does not take pushed reports
        receiver.start();
        sender = DatagramChannel.open();
    }

    @AfterEach
    void stop() throws Exception {
        sender.close();
        receiver.close();
    }

    @Test
    void anAuthenticReportLandsOnTheNamedBackEnd() throws Exception {
        send(codec.encode("web-1", sequence++, System.currentTimeMillis(), REPORT));
        assertThat(eventually(() -> counters.acceptedTotal() == 1)).isTrue();
        LoadReport got = web.backend("web-1").loadReport();
        assertThat(got).isNotNull();
        assertThat(got.cpuBusy()).isEqualTo(0.25);
        assertThat(got.load1()).isEqualTo(1.5);
        assertThat(got.weightPercent()).isEqualTo(80);
        assertThat(got.receivedNanos()).isLessThanOrEqualTo(System.nanoTime());
        assertThat(web.backend("web-2").loadReport()).isNull();
    }

    @Test
    void anAgentNamedByAddressMatchesTheBackEndWithThatAddress() throws Exception {
        send(codec.encode("127.0.0.2:8082", sequence++, System.currentTimeMillis(), REPORT));
        assertThat(eventually(() -> counters.acceptedTotal() == 1)).isTrue();
        assertThat(web.backend("web-2").loadReport()).isNotNull();
        assertThat(web.backend("web-1").loadReport()).isNull();
    }

    @Test
    void forgedReplayedTruncatedOversizedStaleAndUnknownAreRefusedAndCountedByReason() throws Exception {
        byte[] good = codec.encode("web-1", sequence++, System.currentTimeMillis(), REPORT);
        send(good);
        assertThat(eventually(() -> counters.acceptedTotal() == 1)).isTrue();
        LoadReport first = web.backend("web-1").loadReport();

        byte[] forged = new ReportCodec("another key, also 32 bytes long!".getBytes(StandardCharsets.US_ASCII))
                .encode("web-1", sequence++, System.currentTimeMillis(), REPORT);
        refused(forged, ReportCodec.Reason.BAD_MAC);
        refused(good, ReportCodec.Reason.REPLAYED);
        refused(Arrays.copyOf(codec.encode("web-1", sequence++, System.currentTimeMillis(), REPORT), 40),
                ReportCodec.Reason.TRUNCATED);
        refused(new byte[ReportCodec.MAX_SIZE + 100], ReportCodec.Reason.OVERSIZED);
        refused(codec.encode("web-1", sequence++, System.currentTimeMillis() - 60_000, REPORT), ReportCodec.Reason.STALE);
        refused(codec.encode("db-1", sequence++, System.currentTimeMillis(), REPORT), ReportCodec.Reason.UNKNOWN_SERVER);
        refused(codec.encode("nobody", sequence++, System.currentTimeMillis(), REPORT), ReportCodec.Reason.UNKNOWN_SERVER);

        assertThat(counters.refusedTotal(ReportCodec.Reason.BAD_MAC)).isEqualTo(1);
        assertThat(counters.refusedTotal(ReportCodec.Reason.REPLAYED)).isEqualTo(1);
        assertThat(counters.refusedTotal(ReportCodec.Reason.TRUNCATED)).isEqualTo(1);
        assertThat(counters.refusedTotal(ReportCodec.Reason.OVERSIZED)).isEqualTo(1);
        assertThat(counters.refusedTotal(ReportCodec.Reason.STALE)).isEqualTo(1);
        assertThat(counters.refusedTotal(ReportCodec.Reason.UNKNOWN_SERVER)).isEqualTo(2);
        assertThat(counters.acceptedTotal()).isEqualTo(1);
        assertThat(web.backend("web-1").loadReport()).isSameAs(first);
        assertThat(other.backend("db-1").loadReport()).isNull();
    }

    private void refused(byte[] datagram, ReportCodec.Reason reason) throws Exception {
        long before = counters.refusedTotal(reason);
        send(datagram);
        assertThat(eventually(() -> counters.refusedTotal(reason) == before + 1))
                .as("refused as %s", reason).isTrue();
    }

    private void send(byte[] datagram) throws Exception {
        InetSocketAddress to = receiver.localAddress();
        sender.send(ByteBuffer.wrap(datagram), to);
    }
}
