package io.switchboard.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProbeLogTest {
    private static final String T = "10.77.0.100:80";

    private static ProbeLog.Request ok(long start, long end, String by) {
        return new ProbeLog.Request(T, start, end, true, by);
    }

    private static ProbeLog.Request fail(long start, long end) {
        return new ProbeLog.Request(T, start, end, false, "ConnectException:refused");
    }

    @Test
    void parsesTheClientsLines() {
        assertThat(ProbeLog.parse("R 10.77.0.100:80 1000 1004 OK n2")).contains(ok(1000, 1004, "n2"));
        assertThat(ProbeLog.parse("R 10.77.0.100:80 1000 1004 FAIL SocketTimeoutException:Connect_timed_out"))
                .contains(new ProbeLog.Request(T, 1000, 1004, false, "SocketTimeoutException:Connect_timed_out"));
        assertThat(ProbeLog.parse("ready")).isEmpty();
        assertThat(ProbeLog.parse("SKIP 10.77.0.100:80 1000")).isEmpty();
        assertThat(ProbeLog.parse("R 10.77.0.100:80 x 1004 OK n2")).isEmpty();
    }

    @Test
    void outageRunsFromTheFailureToTheFirstAnswerToARequestSentAfterIt() {
        List<ProbeLog.Request> log = List.of(
                ok(900, 905, "n1"),
                fail(990, 1_400),          // in flight on the dead node
                ok(995, 1_002, "n1"),      // sent before, answered just after: not a recovery
                fail(1_020, 1_021),
                fail(1_040, 1_041),
                ok(1_300, 1_310, "n2"),
                ok(1_280, 1_305, "n2"),    // finished first: this one counts
                fail(1_320, 1_330),        // after the recovery: not counted as a failover failure
                new ProbeLog.Request("10.77.0.101:80", 1_010, 1_011, false, "other address"));
        ProbeLog.Failover f = ProbeLog.failover(log, T, 1_000);
        assertThat(f).isEqualTo(new ProbeLog.Failover(T, 1_000, 305, "n2", 1, 2));
        assertThat(f.recovered()).isTrue();
    }

    @Test
    void noAnswerAfterTheFailureIsNoRecovery() {
        ProbeLog.Failover f = ProbeLog.failover(List.of(ok(900, 905, "n1"), fail(1_010, 2_010)), T, 1_000);
        assertThat(f.recovered()).isFalse();
        assertThat(f.failedAfter()).isEqualTo(1);
    }

    @Test
    void stickyUsersAreCountedPerServerFromAMomentOn() {
        List<ProbeLog.Request> log = List.of(
                new ProbeLog.Request(T, 100, 101, true, "b1 user=u0-1"),
                new ProbeLog.Request(T, 200, 201, true, "b2 user=u0-1"),
                new ProbeLog.Request(T, 300, 301, true, "b2 user=u0-1"),
                new ProbeLog.Request(T, 310, 311, true, "b3 user=u0-2"),
                new ProbeLog.Request(T, 320, 321, false, "ConnectException:refused"),
                new ProbeLog.Request(T, 330, 331, true, "b3"));
        assertThat(ProbeLog.serversByUser(log, T, 0)).isEqualTo(Map.of("u0-1", Set.of("b1", "b2"), "u0-2", Set.of("b3")));
        assertThat(ProbeLog.serversByUser(log, T, 150)).isEqualTo(Map.of("u0-1", Set.of("b2"), "u0-2", Set.of("b3")));
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Figures.median(List.of(400L, 100L, 300L))).isEqualTo(300);
        assertThat(Figures.median(List.of(400L, 100L, 300L, 200L))).isEqualTo(250);
        assertThat(Figures.median(List.of())).isEqualTo(-1);
    }

    @Test
    void theTableHasOneRowPerScenarioWithMinMedianMax() {
        Figures figures = new Figures();
        figures.add("crash", List.of(new ProbeLog.Failover(T, 0, 300, "n2", 1, 2), new ProbeLog.Failover(T, 0, 100, "n3", 0, 1),
                new ProbeLog.Failover(T, 0, -1, null, 0, 5)), "note");
        assertThat(figures.table("title")).contains("### title")
                .contains("| crash | 3 (1 never served again) | 100 / 200 / 300 | 300 100 x | 1 | 8 | note |");
    }
}
