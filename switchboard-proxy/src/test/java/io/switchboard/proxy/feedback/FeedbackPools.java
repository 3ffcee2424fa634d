package io.switchboard.proxy.feedback;

import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.registry.Pool;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/** Pools and waiting for the feedback tests. */
final class FeedbackPools {
    private FeedbackPools() {}

    /** A pool outside any registry: submitted changes apply at once on the submitting thread. */
    static Pool pool(String name, ServerConfig... servers) {
        return Pool.of(new PoolConfig(name, "round-robin", 1.25, 2, Duration.ofSeconds(2), Duration.ofSeconds(10),
                Duration.ofSeconds(60), 64, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE,
                PassiveHealthConfig.DEFAULT, 0, Arrays.asList(servers)));
    }

    static ServerConfig server(String name, String host, int port) {
        return new ServerConfig(name, host, port, 1, AdminState.READY);
    }

    /** Waits (bounded: 10 s) for something another thread does; false when it never happened. */
    static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }
}
