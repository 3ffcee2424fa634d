package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest extends AlgorithmContractTest {
    @Override
    Algorithm algorithm() {
        return Algorithms.byName("least-conn");
    }

    static void dispatch(Backend b, int requests) {
        for (int i = 0; i < requests; i++) b.onDispatch();
    }

    @Test
    void prefersTheBackendWithFewerRequestsInFlight() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        dispatch(a, 3);
        dispatch(b, 1);
        dispatch(c, 2);
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
        for (int i = 0; i < 100; i++) assertThat(picker.pick(context())).isSameAs(b);

        b.onDispatch();
        b.onDispatch(); // b: 3, c: 2
        assertThat(picker.pick(context())).as("reads live counters, not a snapshot").isSameAs(c);

        c.onComplete(true, LATENCY, NOW);
        c.onComplete(true, LATENCY, NOW);
        a.onComplete(true, LATENCY, NOW);
        for (int i = 0; i < 100; i++) assertThat(picker.pick(context())).isSameAs(c);
        for (Backend x : List.of(a, a, b, b, b)) x.onComplete(true, LATENCY, NOW);
    }

    @Test
    void loadIsMeasuredPerUnitOfWeight() {
        Backend big = backend("big"), small = backend("small");
        dispatch(big, 2); // (2+1)/4 = 0.75
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(big, small), 4, 1), null); // small: 1/1
        assertThat(picker.pick(context())).isSameAs(big);
        dispatch(big, 2); // (4+1)/4 = 1.25
        assertThat(picker.pick(context())).isSameAs(small);
        for (int i = 0; i < 4; i++) big.onComplete(true, LATENCY, NOW);
    }

    @Test
    void tiesSpreadAcrossIdleBackends() {
        Backend a = backend("a"), b = backend("b"), c = backend("c"), d = backend("d");
        Map<Backend, Integer> counts = countPicks(algorithm().newPicker(BackendSet.of(1, List.of(a, b, c, d)), null), 4_000);
        for (Backend x : List.of(a, b, c, d)) assertThat(counts.get(x)).as("%s of 4000", x).isBetween(700, 1300);
    }

    @Test
    void sequentialTrafficTakesTurnsOverEqualBackends() {
        // Issue #11: every pick sees all back ends at 0 in flight; ties go round robin (HAProxy's leastconn).
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Map<Backend, Integer> counts = countSequentialPicks(algorithm().newPicker(upSet(1, a, b, c), null), 12);
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of(a, 4, b, 4, c, 4));
    }

    @Test
    void sequentialTrafficTakesTurnsAmongTheHeaviestOnly() {
        // (0+1)/2 < (0+1)/1: the weight-2 back ends always cost less when idle, and take turns.
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c), 2, 2, 1), null);
        assertThat(countSequentialPicks(picker, 12)).containsExactlyInAnyOrderEntriesOf(Map.of(a, 6, b, 6));
    }

    @Test
    void theTurnCarriesOverToTheNextSnapshot() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Picker first = algorithm().newPicker(upSet(1, a, b, c), null);
        assertThat(first.pick(context())).isSameAs(a);
        Picker second = algorithm().newPicker(upSet(2, a, b, c), first);
        assertThat(second.pick(context())).as("the turn goes on from where the old picker left it").isSameAs(b);
    }

    @Test
    void countsBeyondTheCapStillCompareAsLoaded() {
        Backend swamped = backend("swamped"), idle = backend("idle");
        dispatch(swamped, LeastConnections.LOAD_CAP + 10);
        dispatch(idle, 5);
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(swamped, idle)), null);
        assertThat(picker.pick(context())).isSameAs(idle);
    }

    @Test
    void largePoolFindsTheSingleLeastLoaded() {
        List<Backend> many = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            Backend b = backend("m" + i);
            if (i != 1_234) dispatch(b, 1);
            many.add(b);
        }
        Picker picker = algorithm().newPicker(BackendSet.of(1, many), null);
        for (int i = 0; i < 20; i++) assertThat(picker.pick(context())).isSameAs(many.get(1_234));
        for (int i = 0; i < many.size(); i++) if (i != 1_234) many.get(i).onComplete(true, LATENCY, NOW);
    }
}
