package io.switchboard.admin.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Sampling with a fake clock: rates, per-second p99 and the window. */
class SeriesTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void ratesAndPercentilesPerSecond() {
        BackendTraffic t = new BackendTraffic();
        Series s = new Series();
        s.sample(t, 0, 0);
        assertThat(s.rpsSeries()).isEmpty();
        assertThat(s.window().requests()).isZero();
        for (int i = 0; i < 50; i++) t.onExchange(200, 2_000, 0);
        s.sample(t, 3, SECOND);
        s.sample(t, 0, 2 * SECOND); // a second without requests
        for (int i = 0; i < 10; i++) t.onExchange(500, 40_000, 1);
        s.sample(t, 1, 4 * SECOND);  // two seconds later: the rate is per second
        assertThat(s.rpsSeries()).containsExactly(50.0, 0.0, 5.0);
        double[] p99 = s.p99MillisSeries();
        assertThat(p99[0]).isBetween(1.5, 2.0);
        assertThat(p99[1]).isNaN();
        assertThat(p99[2]).isBetween(30.0, 50.0);
        assertThat(s.inFlightSeries()).containsExactly(3, 0, 1);
        assertThat(s.rps()).isEqualTo(5.0);
        Series.Window w = s.window();
        assertThat(w.requests()).isEqualTo(60);
        assertThat(w.seconds()).isEqualTo(4.0);
        assertThat(w.p50Millis()).isBetween(1.5, 2.0);
        assertThat(t.requests(BackendTraffic.statusClass(500))).isEqualTo(10);
        assertThat(t.retries()).isEqualTo(10);
    }

    @Test
    void keepsSixtyPointsAndASixtySecondWindow() {
        BackendTraffic t = new BackendTraffic();
        Series s = new Series();
        for (int i = 0; i <= 100; i++) {
            t.onExchange(200, 1_000, 0);
            s.sample(t, 0, i * SECOND);
        }
        assertThat(s.rpsSeries()).hasSize(Series.POINTS).containsOnly(1.0);
        assertThat(s.window().requests()).isEqualTo(Series.WINDOW_SECONDS);
        assertThat(s.window().seconds()).isEqualTo(60.0);
    }

    @Test
    void statusClasses() {
        assertThat(BackendTraffic.statusClass(101)).isZero();
        assertThat(BackendTraffic.statusClass(204)).isEqualTo(1);
        assertThat(BackendTraffic.statusClass(499)).isEqualTo(3);
        assertThat(BackendTraffic.statusClass(503)).isEqualTo(4);
        assertThat(BackendTraffic.STATUS_CLASSES[BackendTraffic.statusClass(0)]).isEqualTo("other");
    }
}
