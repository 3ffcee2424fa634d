package io.switchboard.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.load.PeakEwma;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FastestTest extends AlgorithmContractTest {
    @Override
    Algorithm algorithm() {
        return Algorithms.byName("fastest");
    }

    /** A back end with no latency sample yet. */
    Backend unmeasured(String name) {
        return new Backend("contract", name, "10.0.1.1", 8080, new AtomicInteger());
    }

    @Test
    void prefersLowerLatency() {
        Backend slow = unmeasured("slow"), fast = unmeasured("fast"), medium = unmeasured("medium");
        slow.latency().observe(50_000_000, NOW);
        fast.latency().observe(1_000_000, NOW);
        medium.latency().observe(20_000_000, NOW);
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(slow, fast, medium)), null);
        for (int i = 0; i < 100; i++) assertThat(picker.pick(context())).isSameAs(fast);
    }

    @Test
    void requestsInFlightRaiseTheCost() {
        Backend a = backend("a"), b = backend("b"); // both 10 ms
        for (int i = 0; i < 3; i++) a.onDispatch();
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b)), null);
        assertThat(picker.pick(context())).isSameAs(b);
        for (int i = 0; i < 3; i++) b.onDispatch(); // 10 ms x 4 each: tie, then b a bit slower
        b.latency().observe(LATENCY + 1_000, NOW);
        assertThat(picker.pick(context())).isSameAs(a);
        for (int i = 0; i < 3; i++) {
            a.onComplete(true, -1, NOW);
            b.onComplete(true, -1, NOW);
        }
    }

    @Test
    void costIsPerUnitOfWeight() {
        Backend big = backend("big"), small = backend("small");
        big.latency().observe(25_000_000, NOW); // 25 ms / 4
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(big, small), 4, 1), null); // 10 ms / 1
        assertThat(picker.pick(context())).isSameAs(big);
    }

    @Test
    void anUnmeasuredIdleBackendIsTriedFirst() {
        Backend a = backend("a"), b = backend("b"), fresh = unmeasured("fresh");
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, fresh)), null);
        for (int i = 0; i < 50; i++) assertThat(picker.pick(context())).isSameAs(fresh);
    }

    @Test
    void anUnmeasuredBackendWithRequestsInFlightIsNotFlooded() {
        Backend a = backend("a"), fresh = unmeasured("fresh");
        fresh.onDispatch();
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, fresh)), null);
        for (int i = 0; i < 50; i++) assertThat(picker.pick(context())).isSameAs(a);
        fresh.onComplete(true, 2_000_000, NOW); // its first sample: 2 ms, now the fastest
        assertThat(picker.pick(context())).isSameAs(fresh);
    }

    @Test
    void aBackendAvoidedForLongLooksCheapAgainAndGetsRemeasured() {
        Backend once = unmeasured("once"), steady = unmeasured("steady");
        once.latency().observe(100_000_000, NOW); // 100 ms, then no traffic
        steady.latency().observe(LATENCY, NOW);
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(once, steady)), null);
        assertThat(picker.pick(context())).isSameAs(steady);

        long later = NOW + 10 * PeakEwma.DEFAULT_DECAY_NANOS; // once decayed by e^-10: ~4.5 us
        steady.latency().observe(LATENCY, later);              // steady kept being measured
        assertThat(picker.pick(new PickContext(0, later, random, null))).isSameAs(once);
    }

    @Test
    void aMeasuredCostAboveThePenaltyLosesToAnUnmeasuredBusyBackend() {
        // Finagle's rule, kept exactly: the penalty is 2^47 ns (~39 h); a back end measured at 116
        // days costs more.
        Backend glacial = unmeasured("glacial"), fresh = unmeasured("fresh");
        glacial.latency().observe(10_000_000_000_000_000L, NOW);
        fresh.onDispatch();
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(glacial, fresh)), null);
        for (int i = 0; i < 20; i++) assertThat(picker.pick(context())).isSameAs(fresh);
        fresh.onComplete(true, -1, NOW);
    }

    @Test
    void amongUnmeasuredBusyBackendsTheHeavierWins() {
        Backend light = unmeasured("light"), heavy = unmeasured("heavy");
        light.onDispatch();
        heavy.onDispatch();
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(light, heavy), 1, 3), null);
        for (int i = 0; i < 20; i++) assertThat(picker.pick(context())).isSameAs(heavy);
        light.onComplete(true, -1, NOW);
        heavy.onComplete(true, -1, NOW);
    }

    @Test
    void backendsThatDecayAtDifferentRatesAreComparedAtTheSameTime() {
        long second = 1_000_000_000L;
        Backend slowDecay = new Backend("contract", "slow-decay", "10.0.1.1", 8080, new AtomicInteger(), 10 * second, 10 * second);
        Backend quickDecay = new Backend("contract", "quick-decay", "10.0.1.2", 8080, new AtomicInteger(), 10 * second, second);
        slowDecay.latency().observe(10_000_000, NOW - 5 * second);  // 10 ms * e^-0.5 = 6.1 ms now
        quickDecay.latency().observe(50_000_000, NOW - 5 * second); // 50 ms * e^-5 = 0.34 ms now
        Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(slowDecay, quickDecay)), null);
        assertThat(picker.pick(context())).isSameAs(quickDecay);
        assertThat(picker.pick(new PickContext(0, NOW - 5 * second, random, null))).isSameAs(slowDecay);
    }

    @Test
    void anyClockWorksEvenNearZeroOrNegative() {
        for (long now : new long[] {0, 1_000_000_000L, -50_000_000_000L, Long.MIN_VALUE / 4, Long.MAX_VALUE / 4}) {
            Backend a = unmeasured("a"), b = unmeasured("b"), c = unmeasured("c");
            a.latency().observe(30_000_000, now);
            b.latency().observe(2_000_000, now);
            c.latency().observe(9_000_000, now);
            Picker picker = algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null);
            for (int i = 0; i < 10; i++) assertThat(picker.pick(new PickContext(0, now, random, null))).as("now %d", now).isSameAs(b);
        }
    }

    @Test
    void idleMeasuredBackendsShareTies() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Map<Backend, Integer> counts = countPicks(algorithm().newPicker(BackendSet.of(1, List.of(a, b, c)), null), 3_000);
        for (Backend x : List.of(a, b, c)) assertThat(counts.get(x)).isBetween(700, 1300);
    }

    @Test
    void sequentialTrafficOverEquallyFastBackendsTakesTurns() {
        Backend a = backend("a"), b = backend("b"), c = backend("c");
        Map<Backend, Integer> counts = countSequentialPicks(algorithm().newPicker(upSet(1, a, b, c), null), 12);
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of(a, 4, b, 4, c, 4));
    }

    @Test
    void unmeasuredIdleBackendsTakeTurns() {
        Backend a = unmeasured("a"), b = unmeasured("b"), c = unmeasured("c");
        Picker picker = algorithm().newPicker(upSet(1, a, b, c), null);
        assertThat(countPicks(picker, 12)).containsExactlyInAnyOrderEntriesOf(Map.of(a, 4, b, 4, c, 4));
    }
}
