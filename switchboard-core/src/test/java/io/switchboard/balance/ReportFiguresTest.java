package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ReportFiguresTest {
    static final long NOW = AlgorithmContractTest.NOW;
    static final long SECOND = 1_000_000_000L;

    static Backend[] backends(int n) {
        Backend[] bs = new Backend[n];
        for (int i = 0; i < n; i++) bs[i] = new Backend("web", "b" + i, "10.0.0." + (i + 1), 8080);
        return bs;
    }

    static void assertCopied(ReportFigures f, Backend[] bs) {
        for (int i = 0; i < bs.length; i++) {
            assertThat(ReportFigures.at(f.figures(), i)).as("b%d at", i).isEqualTo(bs[i].reportNanos());
            assertThat(ReportFigures.load(f.figures(), i)).as("b%d load", i).isEqualTo(bs[i].reportLoad());
        }
    }

    @Test
    void theCopyStartsAsTheBackEndsFiguresAndFollowsEachReport() {
        Backend[] bs = backends(3);
        bs[1].loadReport(ChainTest.report(NOW - SECOND, Double.NaN, 0.7));
        ReportFigures f = new ReportFigures(bs);
        assertThat(ReportFigures.at(f.figures(), 0)).as("no report yet").isEqualTo(Backend.NO_REPORT);
        assertThat(ReportFigures.load(f.figures(), 0)).isEqualTo(Double.POSITIVE_INFINITY);
        assertCopied(f, bs);
        bs[0].loadReport(ChainTest.report(NOW, 0.25, Double.NaN));
        bs[1].loadReport(null);
        assertThat(ReportFigures.at(f.figures(), 0)).isEqualTo(NOW);
        assertThat(ReportFigures.load(f.figures(), 0)).isEqualTo(0.25);
        assertThat(ReportFigures.at(f.figures(), 1)).as("the report taken away").isEqualTo(Backend.NO_REPORT);
        assertCopied(f, bs);
        assertThat(f.current()).isTrue();
    }

    @Test
    void aNewerCopyOrNoneTakesTheBackEndsOver() {
        Backend[] bs = backends(4);
        ReportFigures older = new ReportFigures(bs);
        ReportFigures newer = new ReportFigures(new Backend[] {bs[2]});
        assertThat(older.current()).as("b2 now copies its reports to the newer one").isFalse();
        bs[2].loadReport(ChainTest.report(NOW, 0.5, Double.NaN));
        assertThat(ReportFigures.load(newer.figures(), 0)).isEqualTo(0.5);
        assertThat(ReportFigures.load(older.figures(), 2)).as("not followed any more").isEqualTo(Double.POSITIVE_INFINITY);
        bs[2].watchReports(null);
        assertThat(newer.current()).isFalse();
    }

    @Test
    void reportsStoredWhileTheCopyIsBuiltEndInTheCopy() throws InterruptedException {
        Backend[] bs = backends(2_000);
        for (int round = 0; round < 20; round++) {
            CountDownLatch go = new CountDownLatch(1);
            long base = NOW + round * SECOND;
            Thread reports = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = bs.length - 1; i >= 0; i--) bs[i].loadReport(ChainTest.report(base + i, i / 2_000.0, Double.NaN));
            });
            go.countDown();
            ReportFigures f = new ReportFigures(bs);
            reports.join();
            assertCopied(f, bs);
        }
    }

    @Test
    void theDefaultChainReadsAReportThatArrivesAfterItWasBuilt() {
        List<Backend> bs = new ArrayList<>(List.of(backends(8)));
        for (Backend b : bs) b.loadReport(ChainTest.load(0.5));
        Picker picker = new Chain().newPicker(BackendSet.of(1, bs), null);
        PickContext ctx = new PickContext(0, NOW, new java.util.SplittableRandom(3), java.util.Set.of());
        bs.get(6).loadReport(ChainTest.load(0.0));
        int six = 0;
        for (int i = 0; i < 2_000; i++) if (picker.pick(ctx) == bs.get(6)) six++;
        // a window of 3 of 8 holds b6 in 3/8 of the picks, and then b6 is the least loaded
        assertThat(six).isBetween(600, 900);
        // a stale report, however light, drops out again as before
        bs.get(6).loadReport(ChainTest.report(NOW - 4 * SECOND, Double.NaN, 0.0));
        for (int i = 0; i < 500; i++) assertThat(picker.pick(ctx)).isNotSameAs(bs.get(6));
    }

    @Test
    void anOlderChainPickerStillReadsTheLatestReportsThroughItsBackEnds() {
        List<Backend> bs = new ArrayList<>(List.of(backends(8)));
        for (Backend b : bs) b.loadReport(ChainTest.load(0.5));
        Picker older = new Chain().newPicker(BackendSet.of(1, bs), null);
        new Chain().newPicker(BackendSet.of(2, bs), null); // takes the report watchers over
        bs.get(1).loadReport(ChainTest.load(0.0));
        for (int i = 2; i < 8; i++) bs.get(i).loadReport(ChainTest.report(NOW - 4 * SECOND, Double.NaN, 0.0));
        PickContext ctx = new PickContext(0, NOW, new java.util.SplittableRandom(5), java.util.Set.of());
        // b0 and b1 are fresh; b1 wins whenever it is drawn
        for (int i = 0; i < 300; i++) assertThat(older.pick(ctx)).isIn(bs.get(0), bs.get(1));
    }
}
