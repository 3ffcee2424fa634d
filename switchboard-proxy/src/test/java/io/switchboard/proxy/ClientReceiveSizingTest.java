package io.switchboard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The compact handle sizes buffers and ends read loops exactly as Netty's default for stream channels. */
@SuppressWarnings("deprecation") // RecvByteBufAllocator.Handle: what the transports call
class ClientReceiveSizingTest {

    /** Netty's default for socket channels: adaptive 64 / 2048 / 65536, 16 reads per loop. */
    private static RecvByteBufAllocator.ExtendedHandle netty() {
        return (RecvByteBufAllocator.ExtendedHandle) new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(16).newHandle();
    }

    private static RecvByteBufAllocator.ExtendedHandle compact() {
        return (RecvByteBufAllocator.ExtendedHandle) ClientReceiveSizing.INSTANCE.newHandle();
    }

    @Test
    void followsNettysAdaptivePolicyOverRandomReadLoops() {
        ChannelConfig config = new EmbeddedChannel().config();
        RecvByteBufAllocator.ExtendedHandle expected = netty();
        RecvByteBufAllocator.ExtendedHandle actual = compact();
        SplittableRandom random = new SplittableRandom(20);
        for (int loop = 0; loop < 5_000; loop++) {
            expected.reset(config);
            actual.reset(config);
            // Phases of small, full and mixed reads, so the size climbs to the top and falls to the bottom.
            int phase = (loop / 200) % 3;
            for (int read = 0; read < 40; read++) {
                assertThat(actual.guess()).as("guess, loop %d read %d", loop, read).isEqualTo(expected.guess());
                int offered = expected.guess();
                expected.attemptedBytesRead(offered);
                actual.attemptedBytesRead(offered);
                int got = switch (phase) {
                    case 0 -> random.nextInt(0, 40);
                    case 1 -> offered;
                    default -> random.nextBoolean() ? offered : random.nextInt(0, offered + 1);
                };
                expected.lastBytesRead(got);
                actual.lastBytesRead(got);
                assertThat(actual.lastBytesRead()).isEqualTo(expected.lastBytesRead());
                if (got > 0) {
                    expected.incMessagesRead(1);
                    actual.incMessagesRead(1);
                }
                boolean more = expected.continueReading();
                assertThat(actual.continueReading()).as("continue, loop %d read %d", loop, read).isEqualTo(more);
                boolean always = expected.continueReading(() -> true);
                assertThat(actual.continueReading(() -> true)).as("continue (supplier), loop %d read %d", loop, read).isEqualTo(always);
                if (!more) break;
            }
            expected.readComplete();
            actual.readComplete();
        }
        assertThat(actual.guess()).isEqualTo(expected.guess());
    }

    @Test
    void reachesNettysBoundsAndStartsAtItsInitialSize() {
        ChannelConfig config = new EmbeddedChannel().config();
        RecvByteBufAllocator.ExtendedHandle h = compact();
        assertThat(h.guess()).isEqualTo(2048);
        for (int i = 0; i < 40; i++) {
            h.reset(config);
            h.attemptedBytesRead(h.guess());
            h.lastBytesRead(h.guess());
            h.readComplete();
        }
        assertThat(h.guess()).isEqualTo(65536);
        for (int i = 0; i < 200; i++) {
            h.reset(config);
            h.attemptedBytesRead(h.guess());
            h.lastBytesRead(1);
            h.readComplete();
        }
        assertThat(h.guess()).isEqualTo(64);
    }

    @Test
    void stopsReadingWhenAutoReadIsOff() {
        ChannelConfig config = new EmbeddedChannel().config();
        RecvByteBufAllocator.ExtendedHandle h = compact();
        h.reset(config);
        h.attemptedBytesRead(h.guess());
        h.lastBytesRead(h.guess());
        h.incMessagesRead(1);
        assertThat(h.continueReading()).isTrue();
        config.setAutoRead(false);
        assertThat(h.continueReading()).isFalse();
    }
}
