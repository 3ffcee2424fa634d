package io.switchboard.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionTableTest {
    private final SessionTable table = new SessionTable();

    @Test
    void aSessionIsListedFromAcceptUntilItEnds() {
        SessionTable.Session s = table.open("db", "10.0.0.1:5000", 42);
        assertThat(s.server()).isNull();
        assertThat(table.page("db", null, 0, 10).sessions()).containsExactly(s);
        s.bind("redis", "r1");
        s.up(3);
        s.down(7);
        s.up(2);
        assertThat(s.bytesUp()).isEqualTo(5);
        assertThat(s.bytesDown()).isEqualTo(7);
        assertThat(s.sinceMillis()).isEqualTo(42);
        table.close(s);
        table.close(s);
        assertThat(table.size()).isZero();
        assertThat(table.page("db", null, 0, 10).total()).isZero();
        // Totals outlive the session: they are counters.
        assertThat(table.totals()).containsExactly(new SessionTable.ListenerTotals("db", 1, 5, 7));
        assertThat(table.openByListener()).isEqualTo(Map.of("db", 0));
    }

    @Test
    void pagesAreInAcceptOrderFilteredByListenerAndServer() {
        for (int i = 0; i < 6; i++) {
            SessionTable.Session s = table.open(i == 5 ? "other" : "db", "c" + i, i);
            s.bind("p", i % 2 == 0 ? "even" : "odd");
        }
        SessionTable.Page even = table.page("db", "even", 1, 1);
        assertThat(even.total()).isEqualTo(3);
        assertThat(even.sessions()).extracting(SessionTable.Session::client).containsExactly("c2");
        assertThat(table.page("db", null, 3, 10).sessions()).extracting(SessionTable.Session::client).containsExactly("c3", "c4");
        assertThat(table.page("db", null, 9, 10).sessions()).isEmpty();
        assertThat(table.openByServer()).containsEntry(new SessionTable.Binding("db", "p", "even"), 3)
                .containsEntry(new SessionTable.Binding("db", "p", "odd"), 2)
                .containsEntry(new SessionTable.Binding("other", "p", "odd"), 1);
        assertThat(table.openByListener()).isEqualTo(Map.of("db", 5, "other", 1));
        assertThat(List.copyOf(table.totals())).extracting(SessionTable.ListenerTotals::sessionsOpened).containsExactlyInAnyOrder(5L, 1L);
    }
}
