package io.switchboard.agent;

import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code switchboard agent}: every interval, measure the host ({@link HostProbe}, and the web
 * server's status page when configured), read the operator's state file, renew the agent-check
 * answer ({@link AgentCheckServer}) and push one report to each balancer ({@link ReportPusher}).
 *
 * <p>Threading: one platform thread measures and pushes, at a fixed rate (a late measurement is
 * not made up twice); the agent-check server has its own threads. {@link #close} from any thread.
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger log = System.getLogger(Agent.class.getName());

    private final AgentConfig config;
    private final HostProbe host;
    /** The control group measured instead of the host's CPU; null: the host. */
    private final CgroupCpu cgroup;
    private final StatusProbe status;
    private final StateFile stateFile;
    private final AgentCheckServer checks;
    private final ReportPusher pusher;
    private final ScheduledExecutorService ticker;
    private AgentState lastState = AgentState.NONE;

    private Agent(AgentConfig config, AgentCheckServer checks, ReportPusher pusher) {
        this.config = config;
        this.host = new HostProbe(config.proc());
        this.cgroup = config.cgroup() == null ? null : new CgroupCpu(config.cgroup(), System::nanoTime);
        this.status = statusProbe(config);
        this.stateFile = config.stateFile() == null ? null : new StateFile(config.stateFile());
        this.checks = checks;
        this.pusher = pusher;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("agent-measure").daemon().unstarted(r));
    }

    /** Binds the agent-check listener, opens the push socket and takes the first measurement. */
    public static Agent start(AgentConfig config) throws IOException {
        AgentCheckServer checks = null;
        ReportPusher pusher = null;
        try {
            if (config.agentCheck() != null) {
                // Until the first measurement: the state without a weight, so a drained server never says "ready" at start.
                AgentState state = config.stateFile() == null ? AgentState.NONE : new StateFile(config.stateFile()).read();
                checks = AgentCheckServer.start(config.agentCheck(), AgentCheckAnswer.line(state, LoadReport.UNKNOWN, config.maxConn()));
            }
            if (!config.push().isEmpty()) {
                pusher = new ReportPusher(config.name(), config.push(), config.key(),
                        Math.multiplyExact(System.currentTimeMillis(), 1000L));
            }
        } catch (IOException | RuntimeException e) {
            if (checks != null) checks.close();
            throw e;
        }
        Agent a = new Agent(config, checks, pusher);
        a.tick();
        long every = config.interval().toNanos();
        a.ticker.scheduleAtFixedRate(a::tick, every, every, TimeUnit.NANOSECONDS);
        return a;
    }

    /** Where agent checks are answered; null when there is no listener. */
    public InetSocketAddress agentCheckAddress() {
        return checks == null ? null : checks.address();
    }

    private void tick() {
        try {
            HostProbe.Sample s = host.measure();
            if (cgroup != null) s = s.withCpuBusy(cgroup.busy(s.cpus()));
            ServerStatus web = status == null ? ServerStatus.UNKNOWN : status.fetch();
            AgentState state = stateFile == null ? AgentState.NONE : stateFile.read();
            if (state != lastState) {
                if (stateFile != null) log.log(System.Logger.Level.INFO, "state file {0} says {1}", config.stateFile(), state.word());
                lastState = state;
            }
            int weight = AgentCheckAnswer.weightPercent(s.cpuBusy(), config.minWeightPercent());
            int maxConn = config.maxConn();
            if (checks != null) checks.answer(AgentCheckAnswer.line(state, weight, maxConn));
            if (pusher != null) {
                LoadReport r = new LoadReport(System.nanoTime(), 0, s.cpuBusy(), s.load1(), s.cpus(), s.runnable(),
                        s.memAvailable(), s.tcpConnections(), web.busy(), web.idle(), weight, maxConn, state);
                pusher.push(r, System.currentTimeMillis());
            }
        } catch (RuntimeException e) {
            // One bad measurement must not end the schedule (a thrown task is never run again).
            log.log(System.Logger.Level.WARNING, "measurement failed; trying again next interval", e);
        }
    }

    private static StatusProbe statusProbe(AgentConfig c) {
        // 80% of the interval, but never so short that a first request (class loading, connection) always fails
        Duration timeout = Duration.ofMillis(Math.clamp(c.interval().toMillis() * 8 / 10, 250, 1_000));
        if (c.nginxStatus() != null) return new StatusProbe(ServerStatus.Kind.NGINX, c.nginxStatus(), timeout);
        if (c.apacheStatus() != null) return new StatusProbe(ServerStatus.Kind.APACHE, c.apacheStatus(), timeout);
        return null;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (checks != null) checks.close();
        if (pusher != null) {
            try {
                pusher.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
        }
        if (status != null) status.close();
    }
}
