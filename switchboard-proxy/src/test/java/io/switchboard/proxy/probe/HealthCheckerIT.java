package io.switchboard.proxy.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.netty.channel.EventLoopGroup;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.health.HealthPolicy;
import io.switchboard.health.OutlierDetector;
import io.switchboard.proxy.RawServer;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.demo.DemoBackend;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolRegistry;
import io.switchboard.registry.Transition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link HealthChecker} driving a real {@link Pool} with probes over 127.0.0.1 to {@link DemoBackend}s
 * and misbehaving raw servers. Probe counts come from what the back ends saw, never from timing.
 */
@ExtendWith(NoLeaksExtension.class)
class HealthCheckerIT {
    /** -Dswitchboard.transport=nio runs the same tests over NIO (error wording differs per transport). */
    private static final Transport TRANSPORT = Transport.select(System.getProperty("switchboard.transport", "auto"));
    private static final Duration INTERVAL = Duration.ofMillis(50);
    private static EventLoopGroup group;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startGroup() {
        group = TRANSPORT.newGroup(1, r -> {
            Thread t = new Thread(r, "checker-it");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeAfter.reversed()) c.close();
    }

    private static ConditionFactory await() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10));
    }

    private static HealthCheckConfig config(HealthCheckConfig.Type type, Duration timeout, int rise, int fall) {
        return new HealthCheckConfig(type, "GET", "/health", null, 200, 399, INTERVAL, timeout, 0.2, rise, fall);
    }

    private static HealthCheckConfig http() {
        return config(HealthCheckConfig.Type.HTTP, Duration.ofSeconds(1), 2, 3);
    }

    private static Pool.Settings settings(HealthCheckConfig hc) {
        return new Pool.Settings(0, AllDownPolicy.FAIL, new HealthPolicy(hc.rise(), hc.fall()), false,
                new OutlierDetector(5, 10_000_000_000L, 300_000_000_000L));
    }

    private Pool pool(Pool.Settings settings) {
        return pool("app", settings);
    }

    private Pool pool(String name, Pool.Settings settings) {
        Pool pool = new Pool(name, Algorithms.byName("round-robin"), settings);
        pool.addListener(new TransitionLog());
        return pool;
    }

    private DemoBackend demo(String name) throws InterruptedException {
        DemoBackend d = new DemoBackend(name, TRANSPORT, group, 0, 0).start("127.0.0.1", 0);
        closeAfter.add(d);
        return d;
    }

    private HealthChecker start(Pool pool, HealthCheckConfig hc) {
        HealthChecker checker = new HealthChecker(pool, hc, TRANSPORT, group);
        closeAfter.add(checker);
        checker.start();
        return checker;
    }

    private static ServerConfig server(String name, int port) {
        return new ServerConfig(name, "127.0.0.1", port, 1, AdminState.READY);
    }

    private static Member member(Pool pool, String name) {
        return pool.snapshot().backends().member(name);
    }

    /** Lets the checker run {@code probes} more probes of a back end we know is probed: a clock made of requests. */
    private static void awaitMoreProbes(DemoBackend clock, int probes) {
        long target = clock.requestCount() + probes;
        await().until(() -> clock.requestCount() >= target);
    }

    @Test
    void httpHealthFollowsTheBackEnd() throws Exception {
        DemoBackend bravo = demo("bravo");
        HealthCheckConfig hc = http();
        Pool pool = pool(settings(hc));
        pool.apply(new Change.Add(server("bravo", bravo.port())));
        start(pool, hc);

        await().until(() -> bravo.requestCount() >= 3);
        assertThat(member(pool, "bravo").state()).isEqualTo(BackendState.UP);

        bravo.setHealthy(false);
        await().until(() -> member(pool, "bravo").state() == BackendState.DOWN);
        assertThat(member(pool, "bravo").cause()).isEqualTo("probe failed 3x: HTTP 503 (expected 200-399)");

        bravo.setHealthy(true);
        await().until(() -> member(pool, "bravo").state() == BackendState.UP);
        assertThat(member(pool, "bravo").cause()).matches("probe passed 2x: HTTP 200 in \\d+ ms");

        assertThat(pool.history()).extracting(Transition::from, Transition::to).containsExactly(
                tuple(null, BackendState.UP),
                tuple(BackendState.UP, BackendState.DOWN),
                tuple(BackendState.DOWN, BackendState.UP));
    }

    @Test
    void tcpProbeOfAClosedPortTakesTheBackEndDown() throws Exception {
        HealthCheckConfig hc = config(HealthCheckConfig.Type.TCP, Duration.ofSeconds(1), 2, 2);
        Pool pool = pool(settings(hc));
        pool.apply(new Change.Add(server("alpha", RawServer.closedPort())));
        start(pool, hc);

        await().until(() -> member(pool, "alpha").state() == BackendState.DOWN);
        assertThat(member(pool, "alpha").cause()).isEqualTo("probe failed 2x: connect refused");
    }

    @Test
    void aServerThatAcceptsButNeverAnswersTimesOut() throws Exception {
        try (RawServer silent = RawServer.silent()) {
            HealthCheckConfig hc = config(HealthCheckConfig.Type.HTTP, Duration.ofMillis(200), 2, 2);
            Pool pool = pool(settings(hc));
            pool.apply(new Change.Add(server("alpha", silent.port())));
            start(pool, hc);

            await().until(() -> member(pool, "alpha").state() == BackendState.DOWN);
            assertThat(member(pool, "alpha").cause()).isEqualTo("probe failed 2x: timeout after 200 ms");
        }
    }

    @Test
    void backEndsAddedLaterAreProbedAndRemovedOnesAreNot() throws Exception {
        DemoBackend alpha = demo("alpha");
        DemoBackend bravo = demo("bravo");
        HealthCheckConfig hc = http();
        Pool pool = pool(settings(hc));
        pool.apply(new Change.Add(server("alpha", alpha.port())));
        start(pool, hc);
        await().until(() -> alpha.requestCount() >= 1);
        assertThat(bravo.requestCount()).isZero();

        pool.apply(new Change.Add(server("bravo", bravo.port())));
        await().until(() -> bravo.requestCount() >= 2);

        pool.apply(new Change.Remove("bravo"));
        long atRemoval = bravo.requestCount();
        awaitMoreProbes(alpha, 6);
        // one probe may have been on the wire when the removal was applied
        assertThat(bravo.requestCount()).isLessThanOrEqualTo(atRemoval + 1);
    }

    @Test
    void aReloadThatMovesABackEndProbesTheNewAddressOnly() throws Exception {
        DemoBackend alpha = demo("alpha");
        DemoBackend oldBravo = demo("bravo-old");
        DemoBackend newBravo = demo("bravo-new");
        HealthCheckConfig hc = http();
        Pool pool = pool(settings(hc));
        pool.apply(new Change.Add(server("alpha", alpha.port())));
        pool.apply(new Change.Add(server("bravo", oldBravo.port())));
        start(pool, hc);
        await().until(() -> oldBravo.requestCount() >= 2);

        pool.apply(new Change.Reconcile(List.of(server("alpha", alpha.port()), server("bravo", newBravo.port()))));
        long atReload = oldBravo.requestCount();
        await().until(() -> newBravo.requestCount() >= 2);
        awaitMoreProbes(alpha, 6);

        assertThat(oldBravo.requestCount()).isLessThanOrEqualTo(atReload + 1);
        assertThat(member(pool, "bravo").state()).isEqualTo(BackendState.UP);
    }

    @Test
    void maintenanceIsNotProbed() throws Exception {
        DemoBackend alpha = demo("alpha");
        DemoBackend charlie = demo("charlie");
        HealthCheckConfig hc = http();
        Pool pool = pool(settings(hc));
        pool.apply(new Change.Add(server("alpha", alpha.port())));
        pool.apply(new Change.Add(new ServerConfig("charlie", "127.0.0.1", charlie.port(), 1, AdminState.MAINT)));
        start(pool, hc);

        awaitMoreProbes(alpha, 6);
        assertThat(charlie.requestCount()).isZero();

        pool.apply(new Change.SetAdmin("charlie", AdminState.READY, null));
        await().until(() -> charlie.requestCount() >= 2);

        pool.apply(new Change.SetAdmin("charlie", AdminState.MAINT, null));
        long atMaint = charlie.requestCount();
        awaitMoreProbes(alpha, 6);
        assertThat(charlie.requestCount()).isLessThanOrEqualTo(atMaint + 1);
    }

    @Test
    void aPassingProbeEndsAnEjection() throws Exception {
        DemoBackend alpha = demo("alpha");
        HealthCheckConfig hc = http();
        Pool pool = pool(new Pool.Settings(0, AllDownPolicy.FAIL, new HealthPolicy(2, 3), true,
                new OutlierDetector(3, 200_000_000L, 10_000_000_000L)));
        pool.apply(new Change.Add(server("alpha", alpha.port())));
        start(pool, hc);
        await().until(() -> alpha.requestCount() >= 1);

        pool.apply(new Change.PassiveFailure("alpha", 3, "HTTP 502 from back end"));
        assertThat(member(pool, "alpha").state()).isEqualTo(BackendState.DOWN);
        assertThat(member(pool, "alpha").cause()).isEqualTo("ejected for 200 ms after 3 consecutive failures: HTTP 502 from back end");

        await().until(() -> member(pool, "alpha").state() == BackendState.UP);
        assertThat(member(pool, "alpha").cause()).matches("probe passed after ejection: HTTP 200 in \\d+ ms");
    }

    /** A pool in a registry of its own, whose writer thread ticks it (the checker no longer does). */
    private Pool registered(Duration slowStart, PassiveHealthConfig passive, ServerConfig server) {
        PoolRegistry registry = PoolRegistry.start();
        closeAfter.add(registry);
        registry.subscribe(new TransitionLog());
        registry.reload(List.of(new PoolConfig("app", "round-robin", 1.25, 0, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, slowStart, AllDownPolicy.FAIL, HealthCheckConfig.NONE, passive, 0, List.of(server))),
                Origin.FILE);
        return registry.pool("app");
    }

    @Test
    void theRegistryTickEndsSlowStartEvenWithoutProbes() throws Exception {
        DemoBackend alpha = demo("alpha");
        HealthCheckConfig hc = HealthCheckConfig.NONE;
        Pool pool = registered(Duration.ofMillis(300), PassiveHealthConfig.DEFAULT,
                new ServerConfig("alpha", "127.0.0.1", alpha.port(), 10, AdminState.MAINT));
        start(pool, hc);

        Pool.Snapshot ramping = pool.apply(new Change.SetAdmin("alpha", AdminState.READY, null));
        assertThat(ramping.backends().member("alpha").effectiveWeight()).isLessThan(10);
        assertThat(pool.needsTick()).isTrue();

        await().until(() -> member(pool, "alpha").effectiveWeight() == 10);
        await().until(() -> !pool.needsTick());
        assertThat(alpha.requestCount()).as("type none sends no probes").isZero();
    }

    @Test
    void theRegistryTickExpiresAnEjectionWhenActiveHealthIsOff() throws Exception {
        HealthCheckConfig hc = HealthCheckConfig.NONE;
        Pool pool = registered(Duration.ZERO, new PassiveHealthConfig(3, true, Duration.ofMillis(200), Duration.ofSeconds(10), 100),
                server("alpha", RawServer.closedPort()));
        start(pool, hc);

        pool.apply(new Change.PassiveFailure("alpha", 3, "connect refused"));
        assertThat(member(pool, "alpha").state()).isEqualTo(BackendState.DOWN);

        await().until(() -> member(pool, "alpha").state() == BackendState.UP);
        assertThat(member(pool, "alpha").cause()).isEqualTo("ejection expired");
    }

    @Test
    void closeStopsProbingAndLeavesNoConnectionOpen() throws Exception {
        DemoBackend alpha = demo("alpha");
        DemoBackend clock = demo("clock");
        HealthCheckConfig hc = http();
        Pool pool = pool(settings(hc));
        pool.apply(new Change.Add(server("alpha", alpha.port())));
        Pool clockPool = pool("clock", settings(hc));
        clockPool.apply(new Change.Add(server("clock", clock.port())));
        HealthChecker checker = start(pool, hc);
        start(clockPool, hc);
        await().until(() -> alpha.requestCount() >= 3);

        checker.close();
        checker.close(); // idempotent
        long atClose = alpha.requestCount();
        awaitMoreProbes(clock, 6);

        assertThat(alpha.requestCount()).isLessThanOrEqualTo(atClose + 1);
        await().until(() -> alpha.openConnections() == 0);
        pool.apply(new Change.Add(server("late", alpha.port())));
        awaitMoreProbes(clock, 3);
        assertThat(alpha.requestCount()).as("a closed checker ignores membership").isLessThanOrEqualTo(atClose + 1);
    }
}
