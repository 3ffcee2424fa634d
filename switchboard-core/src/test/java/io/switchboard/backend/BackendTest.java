package io.switchboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackendTest {
    static final long NOW = 5_000_000_000L;

    @Test
    void dispatchAndCompleteKeepTheBackendAndPoolCountersInStep() {
        AtomicInteger pool = new AtomicInteger();
        Backend a = new Backend("web", "a", "10.0.0.1", 80, pool), b = new Backend("web", "b", "10.0.0.2", 80, pool);
        a.onDispatch();
        a.onDispatch();
        b.onDispatch();
        assertThat(a.inFlight()).isEqualTo(2);
        assertThat(a.poolInFlight()).isEqualTo(3).isEqualTo(b.poolInFlight());
        assertThat(a.onComplete(true, 1_000, NOW)).isZero();
        assertThat(a.inFlight()).isEqualTo(1);
        assertThat(pool.get()).isEqualTo(2);
        assertThat(a.requests()).isEqualTo(2);
        assertThat(a.latency().seeded()).isTrue();
    }

    @Test
    void consecutiveFailuresCountUntilASuccess() {
        Backend a = new Backend("web", "a", "10.0.0.1", 80);
        a.onDispatch();
        a.onDispatch();
        a.onDispatch();
        assertThat(a.onComplete(false, 1_000, NOW)).isEqualTo(1);
        assertThat(a.onConnectFailure()).isEqualTo(2);
        assertThat(a.onComplete(false, -1, NOW)).as("a negative latency is not a sample").isEqualTo(3);
        assertThat(a.failures()).isEqualTo(3);
        assertThat(a.onComplete(true, 1_000, NOW)).isZero();
        assertThat(a.consecutiveFailures()).isZero();
        a.onConnectFailure();
        a.resetConsecutiveFailures();
        assertThat(a.consecutiveFailures()).isZero();
    }

    @Test
    void bytesFeedTheTrafficWindowAndNegativeCountsAreIgnored() {
        Backend a = new Backend("web", "a", "10.0.0.1", 80);
        a.onBytes(100, 900, NOW);
        a.onBytes(-50, 10, NOW);
        assertThat(a.bytesIn()).isEqualTo(100);
        assertThat(a.bytesOut()).isEqualTo(910);
        assertThat(a.traffic().sum(NOW)).isEqualTo(1_010);
    }

    @Test
    void addressesBracketIpv6() {
        assertThat(new Backend("web", "a", "10.0.0.1", 8080).address()).isEqualTo("10.0.0.1:8080");
        assertThat(new Backend("web", "a", "2001:db8::1", 443).address()).isEqualTo("[2001:db8::1]:443");
        assertThat(new Backend("web", "a", "10.0.0.1", 8080)).hasToString("web/a(10.0.0.1:8080)");
    }

    @Test
    void aPortOutOfRangeIsRejected() {
        assertThatThrownBy(() -> new Backend("web", "a", "10.0.0.1", 0)).hasMessageContaining("port 0 out of range 1-65535");
        assertThatThrownBy(() -> new Backend("web", "a", "10.0.0.1", 65536)).isInstanceOf(IllegalArgumentException.class);
    }
}
