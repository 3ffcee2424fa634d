package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TargetTableTest {

    @Test
    void theSizeNeverExceedsTheCapacityAndTheLeastRecentlyUsedGoFirst() {
        TargetTable table = new TargetTable(32);
        for (long key = 0; key < 1_000; key++) {
            table.target(key);
            table.target(-1); // used all the time: never the least recently used
            assertThat(table.size()).as("after %d inserts", key + 1).isLessThanOrEqualTo(32);
        }
        assertThat(table.peek(-1)).as("the hot target").isNotNull();
        assertThat(table.peek(999)).as("the newest").isNotNull();
        assertThat(table.peek(0)).as("the oldest").isNull();
        assertThat(table.peek(900)).as("99 inserts old, never used again").isNull();
    }

    @Test
    void aTargetKeepsItsRecordUntilEvicted() {
        TargetTable table = new TargetTable(4);
        TargetTable.Target t = table.target(7);
        assertThat(table.target(7)).isSameAs(t);
        assertThat(table.peek(7)).isSameAs(t);
    }

    @Test
    void aTargetUsedSinceItWasQueuedGetsASecondChance() {
        TargetTable table = new TargetTable(3);
        table.target(1);
        table.target(2);
        table.target(3);
        table.target(1); // used again: 2 is now the least recently used
        table.target(4);
        assertThat(table.peek(1)).isNotNull();
        assertThat(table.peek(2)).isNull();
        assertThat(table.peek(3)).isNotNull();
        assertThat(table.peek(4)).isNotNull();
        assertThat(table.peek(1).referenced()).as("its bit was spent").isFalse();
    }

    @Test
    void threadsAskingForTheSameTargetsGetTheSameRecords() throws Exception {
        TargetTable table = new TargetTable(TargetTable.DEFAULT_CAPACITY);
        int threads = 4, keys = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<TargetTable.Target[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    TargetTable.Target[] seen = new TargetTable.Target[keys];
                    for (int k = 0; k < keys; k++) seen[k] = table.target(k);
                    return seen;
                }));
            }
            start.countDown();
            TargetTable.Target[] first = results.get(0).get(30, TimeUnit.SECONDS);
            for (Future<TargetTable.Target[]> f : results) {
                TargetTable.Target[] seen = f.get(30, TimeUnit.SECONDS);
                for (int k = 0; k < keys; k++) assertThat(seen[k]).as("key %d", k).isSameAs(first[k]);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(table.size()).isEqualTo(keys);
    }

    @Test
    void concurrentInsertsStayNearTheCapacity() throws Exception {
        TargetTable table = new TargetTable(1_024);
        int threads = 4, keys = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = (long) t << 32;
                results.add(pool.submit(() -> {
                    start.await();
                    int largest = 0;
                    for (int k = 0; k < keys; k++) {
                        table.target(base + k);
                        largest = Math.max(largest, table.size());
                    }
                    return largest;
                }));
            }
            start.countDown();
            for (Future<Integer> f : results) {
                // Every insert over the cap evicts one itself: at most one extra per inserting thread.
                assertThat(f.get(60, TimeUnit.SECONDS)).isLessThanOrEqualTo(1_024 + threads);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(table.size()).isLessThanOrEqualTo(1_024);
    }

    @Test
    void aCapacityBelowOneIsRejected() {
        assertThatThrownBy(() -> new TargetTable(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
