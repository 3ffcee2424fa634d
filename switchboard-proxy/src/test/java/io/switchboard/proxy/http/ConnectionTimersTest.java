package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.resolve.HostResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionTimersTest {
    /** A connection of the tick that counts its checks, or throws on each. */
    private static class Probe implements ConnectionTimers.Timed {
        final boolean throwing;
        int checks;
        int failed;
        int slot = -1;

        Probe(boolean throwing) {
            this.throwing = throwing;
        }

        @Override
        public void checkDeadline(long now) {
            checks++;
            if (throwing) throw new IllegalStateException("broken check");
        }

        @Override
        public void timerFailed(RuntimeException e) {
            failed++;
        }

        @Override
        public int timerSlot() {
            return slot;
        }

        @Override
        public void timerSlot(int s) {
            slot = s;
        }
    }

    @Test
    void aCheckThatThrowsDoesNotStopTheTickForTheOtherConnections() {
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            ConnectionTimers timers = new BackendConnections(ch.eventLoop(), Transport.nio(), HostResolver.system(Transport.nio())).timers();
            Probe bad = new Probe(true), good = new Probe(false);
            timers.register(good);
            timers.register(bad);
            for (int i = 0; i < 3; i++) {
                ch.advanceTimeBy(ConnectionTimers.TICK_MILLIS, TimeUnit.MILLISECONDS);
                ch.runScheduledPendingTasks();
            }
            assertThat(good.checks).as("ticks seen by the healthy connection").isEqualTo(3);
            assertThat(bad.failed).as("the broken one is told, to close itself").isEqualTo(3);
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aWaveOfExpiriesIsSpreadOverTicks() {
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            ConnectionTimers timers = new BackendConnections(ch.eventLoop(), Transport.nio(), HostResolver.system(Transport.nio())).timers();
            int[] expired = {0};
            List<Probe> wave = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Probe p = new Probe(false) {
                    boolean done;

                    @Override
                    public void checkDeadline(long now) {
                        if (!done && timers.takeExpiry()) {
                            done = true;
                            expired[0]++;
                        }
                    }
                };
                wave.add(p);
                timers.register(p);
            }
            ch.advanceTimeBy(ConnectionTimers.TICK_MILLIS, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
            assertThat(expired[0]).isEqualTo(ConnectionTimers.EXPIRIES_PER_TICK);
            for (int i = 0; i < 3; i++) {
                ch.advanceTimeBy(ConnectionTimers.TICK_MILLIS, TimeUnit.MILLISECONDS);
                ch.runScheduledPendingTasks();
            }
            assertThat(expired[0]).as("the rest on the following ticks").isEqualTo(100);
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
