package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChainTest extends AlgorithmContractTest {
    static final long SECOND = 1_000_000_000L;

    @Override
    Algorithm algorithm() {
        return Algorithms.byName("chain");
    }

    static LoadReport report(long receivedNanos, double cpuBusy, double load1) {
        return new LoadReport(receivedNanos, 1, cpuBusy, load1, 1, LoadReport.UNKNOWN, LoadReport.UNKNOWN,
                LoadReport.UNKNOWN, LoadReport.UNKNOWN, LoadReport.UNKNOWN, LoadReport.UNKNOWN, LoadReport.UNKNOWN,
                AgentState.NONE);
    }

    static LoadReport load(double load1) {
        return report(NOW - SECOND, Double.NaN, load1);
    }

    Picker chain(List<Backend> backends, String... steps) {
        return Chain.of(List.of(steps)).newPicker(BackendSet.of(1, backends), null);
    }

    List<Backend> backends(int n) {
        List<Backend> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(backend("b" + i));
        return out;
    }

    @Test
    void theDefaultChainTakesTheLeastLoadedOfARandomLogWindow() {
        List<Backend> bs = backends(4);
        double[] loads = {0.1, 0.2, 0.3, 0.9};
        for (int i = 0; i < 4; i++) bs.get(i).loadReport(load(loads[i]));
        Map<Backend, Integer> counts = countPicks(algorithm().newPicker(BackendSet.of(1, bs), null), 4_000);
        // a window of 2 distinct candidates: the most loaded is never the lower of two
        assertThat(counts).doesNotContainKey(bs.get(3));
        assertThat(counts.get(bs.get(0))).as("%s", counts).isGreaterThan(counts.get(bs.get(1)));
        assertThat(counts.get(bs.get(1))).as("%s", counts).isGreaterThan(counts.get(bs.get(2)));
    }

    @Test
    void byAgeDropsStaleReportsAndByLoadTakesTheLowest() {
        List<Backend> bs = backends(3);
        bs.get(0).loadReport(report(NOW - 5 * SECOND, Double.NaN, 0.0));
        bs.get(1).loadReport(load(0.5));
        bs.get(2).loadReport(load(0.4));
        Picker picker = chain(bs, "by-age 3s", "by-load");
        for (int i = 0; i < 50; i++) assertThat(picker.pick(context())).isSameAs(bs.get(2));
    }

    @Test
    void whenEveryAgentIsSilentTheChainStillServes() {
        List<Backend> bs = backends(20);
        Picker picker = chain(bs, "by-age 3s", "by-random", "by-log-window", "by-load");
        Map<Backend, Integer> counts = countPicks(picker, 2_000);
        assertThat(counts).hasSize(20);
        assertThat(chain(bs, "by-age 1s", "by-load").pick(context())).isNotNull();
    }

    @Test
    void aThreadThatFoundEveryAgentSilentLooksAgainAfterAWhile() {
        List<Backend> bs = backends(8);
        Picker picker = chain(bs, "by-age 3s", "by-random", "by-log-window", "by-load");
        assertThat(picker.pick(context())).as("none fresh: drawn without by-age").isNotNull();
        bs.get(5).loadReport(load(0.9));
        PickContext later = new PickContext(0, NOW + Chain.NONE_PASS_MEMO_NANOS, random, Set.of());
        for (int i = 0; i < 50; i++) assertThat(picker.pick(later)).as("the one fresh report").isSameAs(bs.get(5));
    }

    @Test
    void byTagKeepsTheTaggedOnesOrAllWhenNoneHasTheTag() {
        List<Backend> bs = backends(6);
        bs.get(4).tags(Set.of("ssd"));
        bs.get(5).tags(Set.of("ssd"));
        Map<Backend, Integer> counts = countPicks(chain(bs, "by-tag ssd", "by-random"), 500);
        assertThat(counts.keySet()).containsExactlyInAnyOrder(bs.get(4), bs.get(5));
        assertThat(countPicks(chain(bs, "by-tag gpu", "by-random"), 500)).hasSize(6);
    }

    @Test
    void aSortBeforeTheWindowKeepsTheLowestThenTheNextStepDecides() {
        // 40 back ends (a merge sort, not the short insertion sort): the window keeps the 6 least
        // loaded, and of those the one with the least cost since its report wins.
        List<Backend> bs = backends(40);
        for (int i = 0; i < 40; i++) {
            bs.get(i).loadReport(load((40 - i) / 100.0)); // b39 least loaded
            bs.get(i).addCost(i == 35 ? 1 : 100 - i);
        }
        bs.get(0).addCost(-99); // b0 has the least cost of all but the most load: outside the window
        Picker picker = chain(bs, "by-load", "by-log-window", "by-cost");
        for (int i = 0; i < 20; i++) assertThat(picker.pick(context())).isSameAs(bs.get(35));
    }

    @Test
    void shortSortsAreStableAndOrdersReadTheirFigures() {
        List<Backend> bs = backends(5);
        bs.get(0).loadReport(report(NOW, 0.9, Double.NaN));
        bs.get(1).loadReport(report(NOW, 0.2, Double.NaN));
        bs.get(2).loadReport(report(NOW, 0.2, Double.NaN));
        // b3, b4: no report, sorted last
        assertThat(chain(bs, "by-cpu", "by-log-window", "by-load").pick(context())).isSameAs(bs.get(1));
        assertThat(chain(bs, "by-cpu").pick(context())).isSameAs(bs.get(1));
        bs.get(3).loadReport(new LoadReport(NOW, 1, Double.NaN, Double.NaN, 1, 0, 0, 0, 3, 0, -1, -1, AgentState.NONE));
        bs.get(4).loadReport(new LoadReport(NOW, 1, Double.NaN, Double.NaN, 1, 0, 0, 0, 1, 0, -1, -1, AgentState.NONE));
        assertThat(chain(bs, "by-busy-workers").pick(context())).isSameAs(bs.get(4));
    }

    @Test
    void excludedBackendsAreNeverCandidates() {
        List<Backend> bs = backends(8);
        for (int i = 0; i < 8; i++) bs.get(i).loadReport(load(i));
        Picker picker = chain(bs, "by-age 3s", "by-random", "by-log-window", "by-load");
        for (int i = 0; i < 200; i++) {
            assertThat(picker.pick(excluding(bs.get(0), bs.get(1)))).isNotIn(bs.get(0), bs.get(1));
        }
        assertThat(chain(bs, "by-load").pick(excluding(bs.toArray(Backend[]::new)))).isNull();
        assertThat(picker.pick(excluding(bs.toArray(Backend[]::new)))).isNull();
    }

    @Test
    void theLogWindowIsTheCeilingOfLog2() {
        assertThat(List.of(1, 2, 3, 4, 5, 8, 9, 100, 10_000).stream().map(ByLogWindow::size).toList())
                .containsExactly(1, 1, 2, 2, 3, 3, 4, 7, 14);
    }

    @Test
    void candidacyWordsAreParsedWithErrorsForPeople() {
        assertThat(Chain.of(List.of("by-age 500ms", "by-tag ssd", "by-cost")).steps())
                .containsExactly(new ByAge(Duration.ofMillis(500)), new ByTag("ssd"), new ByCost());
        assertThat(new ByAge(Duration.ofSeconds(3)).word()).isEqualTo("by-age 3s");
        assertThatThrownBy(() -> Candidacy.parse("by-lod")).hasMessage("unknown candidacy function 'by-lod' (allowed: by-age,"
                + " by-load, by-cpu, by-busy-workers, by-cost, by-random, by-log-window, by-tag)");
        assertThatThrownBy(() -> Candidacy.parse("by-age")).hasMessageContaining("by-age needs a duration, e.g. 'by-age 3s'");
        assertThatThrownBy(() -> Candidacy.parse("by-age soon")).hasMessageContaining("found 'soon'");
        assertThatThrownBy(() -> Candidacy.parse("by-load 3")).hasMessage("by-load takes no argument (found '3')");
    }
}
