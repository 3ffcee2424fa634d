package io.switchboard.load;

import java.util.Objects;

/**
 * One load report from a back end's agent, as the balancer keeps it: what the agent measured,
 * what it asks for, and when the balancer received it. Unknown figures are {@link #UNKNOWN} (ints
 * and longs) or NaN (doubles): an agent measures what its host lets it.
 *
 * <p>Immutable; a back end holds its latest report in one volatile slot ({@code Backend.loadReport()}),
 * so a picker reads one consistent report per back end without locks.
 *
 * @param receivedNanos  the balancer's {@code System.nanoTime()} when the report arrived (its age is
 *                       measured from here, never from the agent's clock)
 * @param sequence       the agent's sequence number (pushed reports; 0 for pulled agent-check answers)
 * @param cpuBusy        CPU busy over the agent's last interval, 0..1 (from {@code /proc/stat})
 * @param load1          the 1-minute load average
 * @param cpus           CPUs online at the back end
 * @param runnable       runnable tasks (the {@code procs_running} of {@code /proc/stat})
 * @param memAvailable   bytes of memory available ({@code MemAvailable} of {@code /proc/meminfo})
 * @param tcpConnections established TCP connections at the back end
 * @param busyWorkers    the web server's busy workers (NGINX active connections, Apache BusyWorkers)
 * @param idleWorkers    the web server's idle workers (Apache IdleWorkers; UNKNOWN for NGINX)
 * @param weightPercent  the weight the agent asks for, as a percentage of the configured weight
 *                       (agent-check {@code NN%}); UNKNOWN when it asks nothing
 * @param maxConn        the in-flight limit the agent asks for (agent-check {@code maxconn:N}); UNKNOWN when none
 * @param state          the state the agent asks for; {@link AgentState#NONE} when none
 */
public record LoadReport(long receivedNanos, long sequence, double cpuBusy, double load1, int cpus, int runnable,
                         long memAvailable, int tcpConnections, int busyWorkers, int idleWorkers,
                         int weightPercent, int maxConn, AgentState state) {
    public static final int UNKNOWN = -1;

    public LoadReport {
        Objects.requireNonNull(state, "state");
        if (!Double.isNaN(cpuBusy) && (cpuBusy < 0 || cpuBusy > 1)) {
            throw new IllegalArgumentException("cpu busy " + cpuBusy + " out of range 0..1");
        }
        if (weightPercent < UNKNOWN || weightPercent > 256 * 100) {
            throw new IllegalArgumentException("weight percent " + weightPercent + " out of range 0-25600");
        }
    }

    /** A report that only carries what an agent-check answer says (state, weight, maxconn). */
    public static LoadReport agentCheck(long receivedNanos, AgentState state, int weightPercent, int maxConn,
                                        double cpuIdlePercent) {
        double busy = Double.isNaN(cpuIdlePercent) ? Double.NaN : 1 - Math.clamp(cpuIdlePercent, 0, 100) / 100.0;
        return new LoadReport(receivedNanos, 0, busy, Double.NaN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN,
                UNKNOWN, UNKNOWN, weightPercent, maxConn, state);
    }

    /** The same report as if it had arrived at {@code nanos} (a peer's report, dated by this node's clock). */
    public LoadReport receivedAt(long nanos) {
        return new LoadReport(nanos, sequence, cpuBusy, load1, cpus, runnable, memAvailable, tcpConnections,
                busyWorkers, idleWorkers, weightPercent, maxConn, state);
    }

    /**
     * The reported load as one figure, lower is less loaded: the 1-minute load average per CPU when
     * both are known, else the CPU busy fraction; +infinity when neither is.
     */
    public double load() {
        if (!Double.isNaN(load1) && cpus > 0) return load1 / cpus;
        return Double.isNaN(cpuBusy) ? Double.POSITIVE_INFINITY : cpuBusy;
    }

    /** Nanoseconds since the balancer received this report. */
    public long ageNanos(long nowNanos) {
        return nowNanos - receivedNanos;
    }
}
