package io.switchboard.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReportCodecTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final LoadReport REPORT = new LoadReport(0, 0, 0.25, 1.5, 2, 3, 1L << 30, 40, 5, 6, 80, 100,
            AgentState.DRAIN);

    @Test
    void roundTrip() throws Exception {
        ReportCodec codec = new ReportCodec(KEY);
        byte[] d = codec.encode("web-1", 7, 1_000, REPORT);
        ReportCodec.Datagram got = new ReportCodec(KEY).decode(d, 0, d.length, 42);
        assertThat(got.server()).isEqualTo("web-1");
        assertThat(got.sequence()).isEqualTo(7);
        assertThat(got.sentMillis()).isEqualTo(1_000);
        assertThat(got.report()).isEqualTo(new LoadReport(42, 7, 0.25, 1.5, 2, 3, 1L << 30, 40, 5, 6, 80, 100,
                AgentState.DRAIN));
    }

    @Test
    void refusesAnotherKeyAFlippedBitTruncationAndOversize() {
        byte[] d = new ReportCodec(KEY).encode("web-1", 7, 1_000, REPORT);
        byte[] other = "another key, also 32 bytes long!".getBytes(StandardCharsets.US_ASCII);
        assertRefused(new ReportCodec(other), d, ReportCodec.Reason.BAD_MAC);
        for (int i = 8; i < d.length; i++) {
            byte[] flipped = d.clone();
            flipped[i] ^= 1;
            assertRefused(new ReportCodec(KEY), flipped, ReportCodec.Reason.BAD_MAC);
        }
        assertRefused(new ReportCodec(KEY), Arrays.copyOf(d, d.length - 1), ReportCodec.Reason.TRUNCATED);
        assertRefused(new ReportCodec(KEY), Arrays.copyOf(d, 20), ReportCodec.Reason.TRUNCATED);
        assertRefused(new ReportCodec(KEY), new byte[ReportCodec.MAX_SIZE + 1], ReportCodec.Reason.OVERSIZED);
        byte[] magic = d.clone();
        magic[0] = 'X';
        assertRefused(new ReportCodec(KEY), magic, ReportCodec.Reason.MALFORMED);
    }

    @Test
    void shortKeysAreRefusedWithTheRule() {
        assertThatThrownBy(() -> new ReportCodec(new byte[8])).hasMessageContaining("at least 16");
    }

    @Test
    void replayGuardRefusesRepeatedOlderAndStaleReports() throws Exception {
        ReplayGuard guard = new ReplayGuard(10_000);
        guard.check(new ReportCodec.Datagram("a", 5, 100_000, REPORT), 100_500);
        assertThatThrownBy(() -> guard.check(new ReportCodec.Datagram("a", 5, 100_000, REPORT), 100_600))
                .extracting(e -> ((ReportCodec.Refusal) e).reason()).isEqualTo(ReportCodec.Reason.REPLAYED);
        assertThatThrownBy(() -> guard.check(new ReportCodec.Datagram("a", 4, 100_000, REPORT), 100_600))
                .extracting(e -> ((ReportCodec.Refusal) e).reason()).isEqualTo(ReportCodec.Reason.REPLAYED);
        guard.check(new ReportCodec.Datagram("b", 1, 100_000, REPORT), 100_600); // per agent
        guard.check(new ReportCodec.Datagram("a", 6, 100_000, REPORT), 100_600);
        assertThatThrownBy(() -> guard.check(new ReportCodec.Datagram("a", 7, 80_000, REPORT), 100_600))
                .extracting(e -> ((ReportCodec.Refusal) e).reason()).isEqualTo(ReportCodec.Reason.STALE);
    }

    private static void assertRefused(ReportCodec codec, byte[] d, ReportCodec.Reason reason) {
        assertThatThrownBy(() -> codec.decode(d, 0, d.length, 0)).isInstanceOf(ReportCodec.Refusal.class)
                .extracting(e -> ((ReportCodec.Refusal) e).reason()).isEqualTo(reason);
    }
}
