package io.switchboard.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PeakEwmaTest {
    static final long TAU = 10_000_000_000L;
    static final long T0 = 7_000_000_000_000L;

    @Test
    void unmeasuredCostsNothing() {
        PeakEwma ewma = new PeakEwma(TAU);
        assertThat(ewma.cost(T0)).isZero();
        assertThat(ewma.sampledCost()).isEqualTo(PeakEwma.UNMEASURED);
        assertThat(ewma.logCostAtEpoch()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void theFirstSampleIsTheCost() {
        PeakEwma ewma = new PeakEwma(TAU);
        ewma.observe(5_000_000, T0);
        assertThat(ewma.sampledCost()).isEqualTo(5_000_000);
        assertThat(ewma.cost(T0)).isEqualTo(5_000_000);
        assertThat(ewma.cost(T0 + TAU)).as("decays from the sample's time").isCloseTo(5_000_000 * Math.exp(-1), within(1e-3));
    }

    @Test
    void aHigherSampleReplacesTheAverageAtOnce() {
        PeakEwma ewma = new PeakEwma(TAU);
        ewma.observe(1_000_000, T0);
        ewma.observe(80_000_000, T0 + 1);
        assertThat(ewma.cost(T0 + 1)).isEqualTo(80_000_000);
    }

    @Test
    void aLowerSamplePullsTheAverageDownByTheElapsedTime() {
        PeakEwma ewma = new PeakEwma(TAU);
        ewma.observe(100_000_000, T0);
        ewma.observe(0, T0 + TAU); // old value weighted by e^-1
        assertThat(ewma.cost(T0 + TAU)).isCloseTo(100_000_000 * Math.exp(-1), within(1.0));

        PeakEwma quick = new PeakEwma(TAU);
        quick.observe(100_000_000, T0);
        quick.observe(0, T0); // no time passed: the old value keeps all its weight
        assertThat(quick.cost(T0)).isEqualTo(100_000_000);
    }

    @Test
    void withoutSamplesTheCostDecaysExponentially() {
        PeakEwma ewma = new PeakEwma(TAU);
        ewma.observe(10_000_000, T0);
        assertThat(ewma.cost(T0 + TAU)).isCloseTo(10_000_000 * Math.exp(-1), within(1e-3));
        assertThat(ewma.cost(T0 + 3 * TAU)).isCloseTo(10_000_000 * Math.exp(-3), within(1e-3));
        assertThat(ewma.cost(T0 - TAU)).as("a reader slightly behind the writer sees the sample").isEqualTo(10_000_000);
    }

    @Test
    void theLogAtEpochGivesTheDecayedCostAtAnyTime() {
        PeakEwma ewma = new PeakEwma(TAU);
        ewma.observe(30_000_000, T0);
        ewma.observe(12_000_000, T0 + 2 * TAU / 3);
        for (long now : new long[] {T0 + TAU, T0 + 5 * TAU, T0 + 40 * TAU}) {
            double viaLog = Math.exp(ewma.logCostAtEpoch() - now * ewma.inverseDecay());
            assertThat(viaLog).as("at %d", now).isCloseTo(ewma.cost(now), within(ewma.cost(now) * 1e-6));
        }
    }

    @Test
    void aZeroSampleStillCountsAsMeasured() {
        PeakEwma ewma = new PeakEwma(TAU);
        ewma.observe(0, T0);
        assertThat(ewma.sampledCost()).isZero();
        assertThat(ewma.logCostAtEpoch()).isFinite();
    }

    @Test
    void theLogLoadAddsTheInFlightFactorToTheLogCost() {
        PeakEwma ewma = new PeakEwma(TAU);
        ewma.observe(20_000_000, T0);
        double logCost = ewma.logCostAtEpoch();
        assertThat(PeakEwma.logLoadAtEpoch(logCost, 0)).isEqualTo(logCost);
        assertThat(PeakEwma.logLoadAtEpoch(logCost, 3)).isCloseTo(logCost + Math.log(4), within(1e-12));
        assertThat(PeakEwma.logLoadAtEpoch(logCost, 5_000)).as("past the table").isCloseTo(logCost + Math.log(5_001), within(1e-12));
        assertThat(PeakEwma.logLoadAtEpoch(logCost, -2)).as("a negative count is a caller's bug: as idle").isEqualTo(logCost);
        // ln load(now) = logLoadAtEpoch - now / tau: cost(now) * (inFlight + 1).
        double now = T0 + TAU / 2.0;
        assertThat(Math.exp(PeakEwma.logLoadAtEpoch(logCost, 3) - now * ewma.inverseDecay()))
                .isCloseTo(4 * ewma.cost(T0 + TAU / 2), within(1.0));
    }

    @Test
    void anUnmeasuredLoadIsMinusInfinityIdleAndPlusInfinityBusy() {
        assertThat(PeakEwma.logLoadAtEpoch(Double.NEGATIVE_INFINITY, 0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(PeakEwma.logLoadAtEpoch(Double.NEGATIVE_INFINITY, -1)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(PeakEwma.logLoadAtEpoch(Double.NEGATIVE_INFINITY, 1)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void theListenerHearsOfEverySample() {
        AtomicInteger samples = new AtomicInteger();
        PeakEwma ewma = new PeakEwma(TAU, samples::incrementAndGet);
        ewma.observe(1_000, T0);
        ewma.observe(1_000, T0 + 1);
        assertThat(samples).hasValue(2);
    }

    @Test
    void theDecayMustBePositive() {
        assertThatThrownBy(() -> new PeakEwma(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new PeakEwma(TAU).inverseDecay()).isEqualTo(1.0 / TAU);
    }
}
