package io.switchboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.load.PeakEwma;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
        assertThat(a.latency().sampledCost()).isEqualTo(1_000);
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
    void theScoresAreKeptOnlyOnceAPickerAsksForThem() {
        Backend a = new Backend("web", "a", "10.0.0.1", 80);
        a.onDispatch();
        a.onBytes(100, 900, NOW);
        a.onComplete(true, 3_000_000, NOW);
        a.onDispatch();
        assertThat(a.trafficScore()).as("not kept: no writer pays for them").isZero();
        assertThat(a.latencyScore()).isEqualTo(Double.NEGATIVE_INFINITY);

        a.keepScores(); // computed from the counters as they are, then kept
        assertThat(a.trafficScore()).isEqualTo(1_000 + Backend.TRAFFIC_PER_REQUEST);
        assertThat(a.latencyScore()).isEqualTo(PeakEwma.logLoadAtEpoch(a.latency().logCostAtEpoch(), 1));
        a.onComplete(true, -1, NOW);
        assertThat(a.trafficScore()).isEqualTo(1_000);
        a.keepScores(); // idempotent
        assertThat(a.trafficScore()).isEqualTo(1_000);
    }

    @Test
    void theScoresFollowEveryCounterTheyAreMadeOf() {
        Backend a = new Backend("web", "a", "10.0.0.1", 80);
        a.keepScores();
        assertThat(a.trafficScore()).isZero();
        assertThat(a.latencyScore()).as("unmeasured and idle").isEqualTo(Double.NEGATIVE_INFINITY);

        a.onDispatch();
        a.onDispatch();
        assertThat(a.trafficScore()).isEqualTo(2 * Backend.TRAFFIC_PER_REQUEST);
        assertThat(a.latencyScore()).as("unmeasured and busy").isEqualTo(Double.POSITIVE_INFINITY);

        a.onBytes(300, 700, NOW);
        assertThat(a.trafficScore()).isEqualTo(1_000 + 2 * Backend.TRAFFIC_PER_REQUEST);

        a.onComplete(true, 4_000_000, NOW);
        assertThat(a.trafficScore()).isEqualTo(1_000 + Backend.TRAFFIC_PER_REQUEST);
        assertThat(a.latencyScore()).isEqualTo(PeakEwma.logLoadAtEpoch(a.latency().logCostAtEpoch(), 1));

        // The metrics' own writers keep the scores up to date too (tests and the benchmark use them).
        a.traffic().add(500, NOW);
        a.latency().observe(9_000_000, NOW);
        assertThat(a.trafficScore()).isEqualTo(1_500 + Backend.TRAFFIC_PER_REQUEST);
        assertThat(a.latencyScore()).isEqualTo(PeakEwma.logLoadAtEpoch(a.latency().logCostAtEpoch(), 1));

        a.onComplete(true, -1, NOW);
        assertThat(a.trafficScore()).isEqualTo(1_500);
        assertThat(a.latencyScore()).isEqualTo(a.latency().logCostAtEpoch());
    }

    @Test
    void theScoresMatchTheCountersOnceConcurrentWritersStop() throws Exception {
        // Four threads change every input of the scores at once, and the scores are switched on
        // meanwhile; whatever the interleaving, the last refresh must leave scores computed from the
        // final counters.
        for (int round = 0; round < 5; round++) {
            Backend b = new Backend("web", "b", "10.0.0.1", 80);
            int threads = 4, operations = 20_000;
            CountDownLatch halfway = new CountDownLatch(threads);
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int seed = round * threads + t;
                    done.add(pool.submit(() -> {
                        SplittableRandom random = new SplittableRandom(seed);
                        start.await();
                        int open = 0;
                        for (int i = 0; i < operations; i++) {
                            if (i == operations / 2) halfway.countDown();
                            long now = NOW + i * 1_000L;
                            switch (random.nextInt(4)) {
                                case 0 -> { b.onDispatch(); open++; }
                                case 1 -> { if (open > 0) { b.onComplete(true, random.nextLong(1_000, 50_000_000), now); open--; } }
                                case 2 -> b.onBytes(random.nextLong(0, 10_000), random.nextLong(0, 10_000), now);
                                default -> b.latency().observe(random.nextLong(1_000, 50_000_000), now);
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                // The scores are switched on while the writers run, as a pool's writer does.
                if (round % 2 == 0) b.keepScores();
                assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
                b.keepScores();
                for (Future<?> f : done) f.get(30, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(b.trafficScore()).isEqualTo(b.traffic().total() + Backend.TRAFFIC_PER_REQUEST * b.inFlight());
            assertThat(b.latencyScore()).isEqualTo(PeakEwma.logLoadAtEpoch(b.latency().logCostAtEpoch(), b.inFlight()));
        }
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
    @Test
    void tryDispatchNeverLetsMoreThanMaxConnectionsInAtOnce() throws Exception {
        Backend b = new Backend("web", "a", "10.0.0.1", 80);
        b.maxConnections(2);
        assertThat(b.tryDispatch()).isTrue();
        assertThat(b.tryDispatch()).isTrue();
        assertThat(b.tryDispatch()).as("third over a limit of 2").isFalse();
        assertThat(b.inFlight()).isEqualTo(2);
        assertThat(b.requests()).isEqualTo(2);
        b.onComplete(true, 1_000, NOW);
        assertThat(b.tryDispatch()).isTrue();
        b.onComplete(true, 1_000, NOW);
        b.onComplete(true, 1_000, NOW);

        // Threads race for one slot; a holder that ever sees a second holder proves the race.
        b.maxConnections(1);
        int threads = 2, rounds = 1_000_000;
        AtomicInteger holders = new AtomicInteger(), most = new AtomicInteger(), granted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                all.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < rounds; i++) {
                        if (!b.tryDispatch()) continue;
                        granted.incrementAndGet();
                        most.accumulateAndGet(holders.incrementAndGet(), Math::max);
                        holders.decrementAndGet();
                        b.onComplete(true, 1_000, NOW);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : all) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(most.get()).isEqualTo(1);
        assertThat(granted.get()).isPositive();
        assertThat(b.inFlight()).isZero();
        assertThat(b.poolInFlight()).isZero();
    }

    @Test
    void tryDispatchWithoutALimitAlwaysCounts() {
        Backend b = new Backend("web", "a", "10.0.0.1", 80);
        for (int i = 0; i < 5; i++) assertThat(b.tryDispatch()).isTrue();
        assertThat(b.inFlight()).isEqualTo(5);
    }
}
