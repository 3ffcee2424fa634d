package io.switchboard.admin.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void bucketsAreThe125DecadesUpTo60Seconds() {
        double[] b = LatencyHistogram.boundsSeconds();
        assertThat(b[0]).isEqualTo(0.0001);
        assertThat(b).contains(0.001, 0.0015, 0.002, 0.003, 0.005, 0.007, 0.01, 1.0, 10.0, 60.0);
        assertThat(b[b.length - 1]).isEqualTo(60.0);
        for (int i = 1; i < b.length; i++) assertThat(b[i]).isGreaterThan(b[i - 1]);
        assertThat(LatencyHistogram.buckets()).isEqualTo(b.length + 1);
    }

    @Test
    void aValueOnABoundBelongsToThatBucket() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(1000);      // exactly 1 ms
        h.record(1001);      // just above
        h.record(-5);        // clock skew: counted as 0
        h.record(120_000_000); // 2 minutes: +Inf
        long[] c = new long[LatencyHistogram.buckets()];
        long sum = h.snapshot(c);
        int oneMs = java.util.Arrays.binarySearch(LatencyHistogram.boundsSeconds(), 0.001);
        assertThat(c[oneMs]).isEqualTo(1);
        assertThat(c[oneMs + 1]).isEqualTo(1);
        assertThat(c[0]).isEqualTo(1);
        assertThat(c[c.length - 1]).isEqualTo(1);
        assertThat(sum).isEqualTo(1000 + 1001 + 120_000_000);
    }

    @Test
    void quantilesInterpolateWithinTheBucket() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 100; i++) h.record(1_200); // all in (1 ms, 1.5 ms]
        long[] c = new long[LatencyHistogram.buckets()];
        h.snapshot(c);
        assertThat(LatencyHistogram.quantile(c, 0.5)).isCloseTo(0.00125, within(1e-9));
        assertThat(LatencyHistogram.quantile(c, 0.99)).isCloseTo(0.001495, within(1e-9));
        assertThat(LatencyHistogram.quantile(new long[LatencyHistogram.buckets()], 0.5)).isNaN();
        long[] inf = new long[LatencyHistogram.buckets()];
        inf[inf.length - 1] = 3;
        assertThat(LatencyHistogram.quantile(inf, 0.99)).isEqualTo(60.0);
    }
}
