package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastLoadTest extends AlgorithmContractTest {
    static final long SECOND = 1_000_000_000L;

    @Override
    Algorithm algorithm() {
        return Algorithms.byName("least-load");
    }

    static LoadReport report(long receivedNanos, double cpuBusy, int busyWorkers, int idleWorkers) {
        return new LoadReport(receivedNanos, 1, cpuBusy, Double.NaN, 4, LoadReport.UNKNOWN, LoadReport.UNKNOWN,
                LoadReport.UNKNOWN, busyWorkers, idleWorkers, LoadReport.UNKNOWN, LoadReport.UNKNOWN, AgentState.NONE);
    }

    static LoadReport cpu(double cpuBusy) {
        return report(NOW - SECOND / 2, cpuBusy, LoadReport.UNKNOWN, LoadReport.UNKNOWN);
    }

    @Test
    void ofTwoFreshReportsTheHostWithMoreFreeCapacityWins() {
        Backend busy = backend("busy"), idle = backend("idle");
        busy.loadReport(cpu(0.9));
        idle.loadReport(cpu(0.1));
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(busy, idle)), null);
        for (int i = 0; i < 200; i++) assertThat(picker.pick(context())).isSameAs(idle);
    }

    @Test
    void weightTimesFreeCapacityIsTheCapacity() {
        // busy 0.5 at weight 4 (capacity 2) against idle at weight 1 (capacity 1)
        Backend big = backend("big"), small = backend("small");
        big.loadReport(cpu(0.5));
        small.loadReport(cpu(0.0));
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(big, small), 4, 1), null);
        for (int i = 0; i < 100; i++) assertThat(picker.pick(context())).isSameAs(big);
    }

    @Test
    void costDispatchedSinceTheReportKeepsAnIdleLookingHostFromTakingEverything() {
        Backend idle = backend("idle"), half = backend("half");
        idle.loadReport(cpu(0.0));
        half.loadReport(cpu(0.5));
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(idle, half)), null);
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            Backend b = picker.pick(context());
            b.addCost(1);
            counts.merge(b, 1, Integer::sum);
        }
        // (k+1)/1 vs (k+1)/0.5: the idle host takes about two thirds, not all
        assertThat(counts.get(half)).as("%s", counts).isBetween(90, 110);
        assertThat(counts.get(idle)).isBetween(190, 210);
    }

    @Test
    void aRoutesCostCountsAsThatManyRequests() {
        Backend a = backend("a"), b = backend("b");
        a.loadReport(cpu(0.0));
        b.loadReport(cpu(0.0));
        a.addCost(10);
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b)), null);
        for (int i = 0; i < 9; i++) {
            assertThat(picker.pick(context())).isSameAs(b);
            b.addCost(1);
        }
    }

    @Test
    void busyWorkersAreLoadAndIdleWorkersCapacity() {
        Backend a = backend("a"), b = backend("b");
        a.loadReport(report(NOW, 0.0, 30, 10));
        b.loadReport(report(NOW, 0.6, 2, 38));
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b)), null);
        assertThat(picker.pick(context())).isSameAs(b);
        assertThat(LeastLoad.free(report(NOW, 0.0, 30, 10))).isEqualTo(0.25);
        assertThat(LeastLoad.free(report(NOW, 1.0, LoadReport.UNKNOWN, LoadReport.UNKNOWN))).isEqualTo(LeastLoad.MIN_FREE);
    }

    @Test
    void withoutCpuBusyTheLoadAveragePerCpuIsUsed() {
        LoadReport r = new LoadReport(NOW, 1, Double.NaN, 3.0, 4, 0, 0, 0, LoadReport.UNKNOWN, LoadReport.UNKNOWN,
                LoadReport.UNKNOWN, LoadReport.UNKNOWN, AgentState.NONE);
        assertThat(LeastLoad.free(r)).isEqualTo(0.25);
    }

    @Test
    void aStaleReportIsNotBelievedThePairIsComparedByInFlight() {
        Backend stale = backend("stale"), fresh = backend("fresh");
        stale.loadReport(report(NOW - 4 * SECOND, 0.0, LoadReport.UNKNOWN, LoadReport.UNKNOWN));
        fresh.loadReport(cpu(0.0));
        fresh.onDispatch();
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(stale, fresh)), null);
        for (int i = 0; i < 50; i++) assertThat(picker.pick(context())).isSameAs(stale);
        fresh.onComplete(true, LATENCY, NOW);

        Picker shortAge = new LeastLoad(Duration.ofSeconds(10)).newPicker(BackendSet.of(2, List.of(stale, fresh)), null);
        stale.loadReport(report(NOW - 4 * SECOND, 0.95, LoadReport.UNKNOWN, LoadReport.UNKNOWN));
        for (int i = 0; i < 50; i++) assertThat(shortAge.pick(context())).as("4 s is fresh under a 10 s age").isSameAs(fresh);
    }

    @Test
    void aBackendWithoutAReportIsNeitherBestNorWorst() {
        Backend silent = backend("silent"), loaded = backend("loaded");
        loaded.loadReport(cpu(0.99));
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(silent, loaded)), null);
        assertThat(picker.pick(context())).as("equal in flight: the pair ties").isNotNull();
        silent.onDispatch();
        assertThat(picker.pick(context())).as("compared by in flight, not by the loaded one's report").isSameAs(loaded);
        silent.onComplete(true, LATENCY, NOW);
    }

    @Test
    void readsLoadSoTheDataPlaneCountsCost() {
        assertThat(algorithm().readsLoad()).isTrue();
        assertThat(Algorithms.byName("p2c").readsLoad()).isFalse();
    }
}
