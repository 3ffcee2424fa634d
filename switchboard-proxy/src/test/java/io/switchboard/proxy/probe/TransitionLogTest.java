package io.switchboard.proxy.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TransitionLogTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(TransitionLog.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Pool pool = new Pool("app", Algorithms.byName("round-robin"), Pool.Settings.defaults(),
            () -> 0L, InstantSource.fixed(Instant.EPOCH));

    @BeforeEach
    void attach() {
        appender.start();
        logger.addAppender(appender);
        pool.addListener(new TransitionLog());
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
    }

    @Test
    void logsEachTransitionWithItsCauseWarningWhenABackEndFails() {
        pool.apply(new Change.Add(new ServerConfig("bravo", "127.0.0.1", 8080, 1, AdminState.READY)));
        for (int i = 0; i < 3; i++) pool.apply(new Change.Probe("bravo", false, "HTTP 503 (expected 200-399)"));
        for (int i = 0; i < 2; i++) pool.apply(new Change.Probe("bravo", true, "HTTP 200 in 3 ms"));
        pool.apply(new Change.SetAdmin("bravo", AdminState.DRAIN, null));
        pool.apply(new Change.Remove("bravo"));

        assertThat(appender.list).extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage).containsExactly(
                tuple(Level.INFO, "pool app: backend bravo new -> up (added)"),
                tuple(Level.WARN, "pool app: backend bravo up -> down (probe failed 3x: HTTP 503 (expected 200-399))"),
                tuple(Level.INFO, "pool app: backend bravo down -> up (probe passed 2x: HTTP 200 in 3 ms)"),
                tuple(Level.INFO, "pool app: backend bravo up -> drain (operator: drain)"),
                tuple(Level.INFO, "pool app: backend bravo drain -> maint (removed)"));
    }

    @Test
    void aLargeChangeLogsItsLikeLinesAsOne() {
        PoolRegistry registry = new PoolRegistry(Runnable::run, () -> 0L, InstantSource.fixed(Instant.EPOCH));
        registry.subscribe(new TransitionLog());
        List<ServerConfig> servers = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) servers.add(new ServerConfig("s" + i, "127.0.0.1", 9000 + i, 1, AdminState.READY));
        servers.add(new ServerConfig("parked", "127.0.0.1", 9100, 1, AdminState.MAINT));
        registry.reload(List.of(new PoolConfig("app", "round-robin", 1.25, 0, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE, PassiveHealthConfig.DEFAULT, 0,
                servers)), Origin.FILE);

        assertThat(appender.list).extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage).containsExactly(
                tuple(Level.INFO, "pool app: 12 backends new -> up (configured): s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 and 2 more"),
                tuple(Level.INFO, "pool app: backend parked new -> maint (configured)"));
    }

    @Test
    void asARegistrySubscriberWarnsOfARefusedEjection() {
        PoolRegistry registry = new PoolRegistry(Runnable::run, () -> 0L, InstantSource.fixed(Instant.EPOCH));
        registry.subscribe(new TransitionLog());
        List<ServerConfig> servers = List.of(new ServerConfig("alpha", "127.0.0.1", 8080, 1, AdminState.READY),
                new ServerConfig("bravo", "127.0.0.1", 8081, 1, AdminState.READY));
        registry.reload(List.of(new PoolConfig("app", "round-robin", 1.25, 0, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE, PassiveHealthConfig.DEFAULT, 0,
                servers)), Origin.FILE);
        registry.submit("app", Origin.PASSIVE, new Change.PassiveFailure("alpha", 5, "reset"));
        registry.submit("app", Origin.PASSIVE, new Change.PassiveFailure("bravo", 5, "reset"));

        assertThat(appender.list).extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage).containsExactly(
                tuple(Level.INFO, "pool app: backend alpha new -> up (configured)"),
                tuple(Level.INFO, "pool app: backend bravo new -> up (configured)"),
                tuple(Level.WARN, "pool app: backend alpha up -> down (ejected for 10000 ms after 5 consecutive failures: reset)"),
                tuple(Level.WARN, "pool app: backend bravo up -> up (ejection refused: 1 of 2 back ends already ejected"
                        + " (max-ejection-percent 10, at most 1); 5 consecutive failures: reset)"));
    }
}
