package io.switchboard.app;

import io.switchboard.backend.Change;
import io.switchboard.backend.Pool;
import io.switchboard.balance.Algorithm;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.health.HealthPolicy;
import io.switchboard.health.OutlierDetector;

/**
 * Turns a validated {@link PoolConfig} into a live {@link Pool}. A pool's algorithm and settings are
 * fixed for its life; {@link #sameShape} tells a reload whether a pool can be reconciled in place
 * (keeping its health state and cursors) or must be rebuilt.
 *
 * <p>Threading: stateless.
 */
public final class PoolFactory {
    private PoolFactory() {}

    public static Pool create(PoolConfig config) {
        Pool pool = new Pool(config.name(), algorithm(config), settings(config));
        pool.apply(new Change.Reconcile(config.servers()));
        return pool;
    }

    public static Algorithm algorithm(PoolConfig config) {
        return Algorithms.byName(config.algorithm(), config.hashLoadFactor());
    }

    public static Pool.Settings settings(PoolConfig config) {
        HealthCheckConfig health = config.health();
        PassiveHealthConfig passive = config.passive();
        return new Pool.Settings(
                config.slowStart().toNanos(),
                config.allDown(),
                new HealthPolicy(health.rise(), health.fall()),
                health.enabled(),
                new OutlierDetector(passive.enabled() ? passive.consecutiveFailures() : 0,
                        passive.baseEjection().toNanos(), passive.maxEjection().toNanos()));
    }

    /**
     * True when a pool built from {@code before} is what {@code after} asks for, apart from its
     * servers: then a reload reconciles it in place and keeps its health state.
     */
    public static boolean sameShape(PoolConfig before, PoolConfig after) {
        return before.algorithm().equals(after.algorithm())
                && (!after.algorithm().endsWith("-hash") || before.hashLoadFactor() == after.hashLoadFactor())
                && settings(before).equals(settings(after));
    }
}
