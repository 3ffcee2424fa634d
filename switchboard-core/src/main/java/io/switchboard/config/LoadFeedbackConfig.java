package io.switchboard.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Where a pool's load reports come from ({@code load-feedback:} of a pool). Absent (null in
 * {@link PoolConfig#loadFeedback()}): the pool reads no reports.
 *
 * <p>{@link Mode#PUSH}: the balancer's UDP receiver ({@link LoadReportsConfig}) gives this pool the
 * reports whose server name is one of its back ends' names, or, when the agent names itself
 * {@code host:port}, the back end with that address. {@link Mode#AGENT_CHECK}: the balancer connects
 * to each back end's host at {@code port} every {@code interval} and reads one line of HAProxy's
 * agent-check text protocol, so any compatible agent works.
 *
 * <p>A report is data, never a verdict: a missing one means "no data", not "down".
 */
public record LoadFeedbackConfig(Mode mode, int port, Duration interval, Duration timeout) {
    public enum Mode { PUSH, AGENT_CHECK }

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
    /** Pushed reports from the receiver. */
    public static final LoadFeedbackConfig PUSH = new LoadFeedbackConfig(Mode.PUSH, 0, DEFAULT_INTERVAL, DEFAULT_TIMEOUT);

    public LoadFeedbackConfig {
        Objects.requireNonNull(mode, "mode");
        if (interval == null) interval = DEFAULT_INTERVAL;
        if (timeout == null) timeout = DEFAULT_TIMEOUT;
        if (mode == Mode.AGENT_CHECK && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("agent-check port " + port + " out of range 1-65535");
        }
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("agent-check interval and timeout must be positive");
        }
    }

    /** Pulls HAProxy agent-check answers from each back end's host at {@code port}. */
    public static LoadFeedbackConfig agentCheck(int port, Duration interval, Duration timeout) {
        return new LoadFeedbackConfig(Mode.AGENT_CHECK, port, interval, timeout);
    }
}
