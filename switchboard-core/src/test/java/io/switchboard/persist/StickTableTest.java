package io.switchboard.persist;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class StickTableTest {
    private static final long S = 1_000_000_000L;

    @Test
    void sticksAndEvictsLeastRecentlyUsedAtTheCap() {
        StickTable t = new StickTable(3, 60 * S);
        t.stick("a", "s1", 1);
        t.stick("b", "s2", 2);
        t.stick("c", "s3", 3);
        assertThat(t.track("a", 4, false)).isEqualTo("s1"); // a is now the youngest: b is the eldest
        t.stick("d", "s4", 5);
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.server("b", 6)).isNull();
        assertThat(t.server("a", 6)).isEqualTo("s1");
        assertThat(t.server("c", 6)).isEqualTo("s3");
        assertThat(t.server("d", 6)).isEqualTo("s4");
        assertThat(t.evicted()).isEqualTo(1);
    }

    @Test
    void readsDoNotMakeEntriesYounger() {
        StickTable t = new StickTable(2, 60 * S);
        t.stick("a", "s1", 1);
        t.stick("b", "s2", 2);
        t.server("a", 3);
        t.counters("a", 3);
        t.stick("c", "s3", 4);
        assertThat(t.server("a", 5)).isNull();
        assertThat(t.server("b", 5)).isEqualTo("s2");
    }

    @Test
    void entriesExpireAfterTheirLastUse() {
        StickTable t = new StickTable(10, 10 * S);
        t.stick("a", "s1", 0);
        assertThat(t.track("a", 9 * S, false)).isEqualTo("s1");
        assertThat(t.server("a", 18 * S)).isEqualTo("s1");
        assertThat(t.server("a", 19 * S)).isNull();
        assertThat(t.track("a", 19 * S, false)).isNull(); // a new entry, no server
        assertThat(t.counters("a", 19 * S).requests()).isEqualTo(1);
        t.stick("b", "s2", 20 * S);
        assertThat(t.size()).isEqualTo(2);
        t.stick("c", "s3", 40 * S); // a and b expired and are purged
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.evicted()).isZero();
    }

    @Test
    void resizeTrimsTheOldest() {
        StickTable t = new StickTable(10, 60 * S);
        for (int i = 0; i < 10; i++) t.stick("k" + i, "s", i);
        t.resize(4, 60 * S);
        assertThat(t.size()).isEqualTo(4);
        assertThat(t.server("k5", 11)).isNull();
        assertThat(t.server("k6", 11)).isEqualTo("s");
    }

    @Test
    void countersCountRequestsConnectionsAndErrors() {
        StickTable t = new StickTable(10, 60 * S);
        t.track("u", 0, true);
        t.track("u", S, false);
        t.track("u", 2 * S, true);
        t.error("u", 2 * S);
        t.error("missing", 2 * S);
        StickTable.Counters c = t.counters("u", 3 * S);
        assertThat(c.requests()).isEqualTo(3);
        assertThat(c.requestRate()).isEqualTo(3);
        assertThat(c.connections()).isEqualTo(2);
        assertThat(c.connectionRate()).isEqualTo(2);
        assertThat(c.errors()).isEqualTo(1);
        assertThat(t.counters("missing", 3 * S)).isNull();
        // the rate slides: at 15 s half of the first period is still in the window
        assertThat(t.counters("u", 15 * S).requestRate()).isEqualTo(2);
        assertThat(t.counters("u", 25 * S).requestRate()).isZero();
        assertThat(t.counters("u", 25 * S).requests()).isEqualTo(3);
    }

    @Test
    void longKeysAreCutButStayDistinct() {
        String jwtLike = "eyJhbGciOiJIUzI1NiJ9.".repeat(10);
        String k1 = StickTable.key(jwtLike + "alice");
        String k2 = StickTable.key(jwtLike + "bob");
        assertThat(k1.length()).isLessThanOrEqualTo(StickTable.MAX_KEY_CHARS);
        assertThat(k1).isNotEqualTo(k2).startsWith(jwtLike.substring(0, StickTable.PREFIX_CHARS));
        assertThat(StickTable.key("short")).isEqualTo("short");
        StickTable t = new StickTable(10, 60 * S);
        t.stick(jwtLike + "alice", "s1", 0);
        t.stick(jwtLike + "bob", "s2", 0);
        assertThat(t.server(jwtLike + "alice", 1)).isEqualTo("s1");
        assertThat(t.page(null, 10, 1).entries()).allMatch(e -> e.key().length() <= StickTable.MAX_KEY_CHARS);
    }

    @Test
    void pagesInKeyOrder() {
        StickTable t = new StickTable(100, 60 * S);
        for (int i = 0; i < 25; i++) t.stick(String.format("k%02d", 24 - i), "s" + i, i);
        List<String> seen = new ArrayList<>();
        String after = null;
        for (int n = 0; n < 10; n++) {
            StickTable.Page p = t.page(after, 10, 30);
            assertThat(p.total()).isEqualTo(25);
            p.entries().forEach(e -> seen.add(e.key()));
            after = p.next();
            if (after == null) break;
        }
        assertThat(seen).hasSize(25).isSorted().doesNotHaveDuplicates();
        StickTable.Entry first = t.page(null, 1, 30).entries().get(0);
        assertThat(first.key()).isEqualTo("k00");
        assertThat(first.server()).isEqualTo("s24");
        assertThat(first.ageNanos()).isEqualTo(30 - 24);
        assertThat(first.expiresInNanos()).isEqualTo(60 * S + 24 - 30);
    }

    @Test
    void manyThreadsStayUnderTheCap() throws Exception {
        StickTable t = new StickTable(100, 60 * S);
        int threads = 4;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int id = i;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < 5_000; j++) {
                    String k = "k" + ((j * 7 + id) % 300);
                    t.track(k, j, j % 3 == 0);
                    t.stick(k, "s" + id, j);
                }
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread th : ts) th.join();
        assertThat(t.size()).isEqualTo(100);
        assertThat(t.page(null, 1000, 5_000).entries()).hasSize(100);
    }
}
