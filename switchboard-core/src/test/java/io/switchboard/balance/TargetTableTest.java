package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TargetTableTest {
    static final long NOW = 1_000_000_000_000L;
    static final long TICK = 2 * TargetTable.TOUCH_NANOS;

    @Test
    void theSizeNeverExceedsTheCapacityAndTheLeastRecentlyUsedGoFirst() {
        TargetTable table = new TargetTable(32);
        for (long key = 0; key < 1_000; key++) {
            long now = NOW + key * TICK;
            table.target(key, now);
            table.target(-1, now); // used all the time: never the least recently used
            assertThat(table.size()).as("after %d inserts", key + 1).isLessThanOrEqualTo(32);
        }
        assertThat(table.peek(-1)).as("the hot target").isNotNull();
        assertThat(table.peek(999)).as("the newest").isNotNull();
        assertThat(table.peek(0)).as("the oldest").isNull();
        assertThat(table.peek(900)).as("older than the 31 newest").isNull();
    }

    @Test
    void aTargetKeepsItsRecordUntilEvicted() {
        TargetTable table = new TargetTable(4);
        TargetTable.Target t = table.target(7, NOW);
        assertThat(table.target(7, NOW + TICK)).isSameAs(t);
        assertThat(table.peek(7)).isSameAs(t);
    }

    @Test
    void recencyIsKeptToTheMillisecond() {
        TargetTable table = new TargetTable(4);
        TargetTable.Target t = table.target(7, NOW);
        table.target(7, NOW + TargetTable.TOUCH_NANOS / 2);
        assertThat(t.usedNanos()).as("a hot target's record is not rewritten on every pick").isEqualTo(NOW);
        table.target(7, NOW + TICK);
        assertThat(t.usedNanos()).isEqualTo(NOW + TICK);
    }

    @Test
    void aCapacityBelowOneIsRejected() {
        assertThatThrownBy(() -> new TargetTable(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
