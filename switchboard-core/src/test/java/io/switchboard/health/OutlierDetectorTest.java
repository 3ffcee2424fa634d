package io.switchboard.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutlierDetectorTest {
    static final long SECOND = 1_000_000_000L;
    final OutlierDetector detector = new OutlierDetector(5, 10 * SECOND, 300 * SECOND);

    @Test
    void ejectsFromTheConfiguredNumberOfConsecutiveFailures() {
        assertThat(detector.enabled()).isTrue();
        assertThat(detector.shouldEject(4)).isFalse();
        assertThat(detector.shouldEject(5)).isTrue();
        assertThat(detector.shouldEject(50)).isTrue();
    }

    @Test
    void zeroDisablesEjection() {
        OutlierDetector off = new OutlierDetector(0, 10 * SECOND, 300 * SECOND);
        assertThat(off.enabled()).isFalse();
        assertThat(off.shouldEject(1_000)).isFalse();
    }

    @Test
    void ejectionTimeDoublesUpToTheMaximum() {
        assertThat(detector.ejectionNanos(1)).isEqualTo(10 * SECOND);
        assertThat(detector.ejectionNanos(2)).isEqualTo(20 * SECOND);
        assertThat(detector.ejectionNanos(3)).isEqualTo(40 * SECOND);
        assertThat(detector.ejectionNanos(5)).isEqualTo(160 * SECOND);
        assertThat(detector.ejectionNanos(6)).isEqualTo(300 * SECOND);
        assertThat(detector.ejectionNanos(0)).as("a count below 1 is the first ejection").isEqualTo(10 * SECOND);
    }

    @Test
    void aLongStreakNeitherOverflowsNorExceedsTheMaximum() {
        for (int n = 1; n < 100; n++) assertThat(detector.ejectionNanos(n)).isBetween(10 * SECOND, 300 * SECOND);
        assertThat(new OutlierDetector(1, Long.MAX_VALUE / 4, Long.MAX_VALUE).ejectionNanos(40)).isEqualTo(Long.MAX_VALUE);
    }
}
