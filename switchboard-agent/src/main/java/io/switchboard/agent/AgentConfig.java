package io.switchboard.agent;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@code switchboard agent} was told to do. The command line builds it; the compact
 * constructor checks the rules and says what is wrong and what is allowed.
 *
 * @param name             the server's name as the balancers' pools know it (1-255 bytes of UTF-8)
 * @param interval         how often to measure, report and renew the agent-check answer; at least 100 ms
 * @param agentCheck       where to answer HAProxy's agent-check; null for no listener
 * @param push             balancers to push reports to, resolved (see {@link ReportPusher})
 * @param key              the shared key; required when {@code push} is not empty
 * @param nginxStatus      NGINX {@code stub_status} URL, or null
 * @param apacheStatus     Apache {@code server-status?auto} URL, or null
 * @param stateFile        the operator's state file ({@link StateFile}), or null
 * @param minWeightPercent the weight floor, 0-100 ({@link AgentCheckAnswer})
 * @param maxConn          the {@code maxconn:N} to say, or -1 for none
 * @param proc             the procfs mount, {@code /proc}
 * @param cgroup           a control group whose CPU is measured instead of the host's ({@link CgroupCpu}); null: the host
 */
public record AgentConfig(String name, Duration interval, InetSocketAddress agentCheck, List<InetSocketAddress> push,
                          byte[] key, URI nginxStatus, URI apacheStatus, Path stateFile, int minWeightPercent,
                          int maxConn, Path proc, Path cgroup) {
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_MIN_WEIGHT_PERCENT = 1;

    public AgentConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(interval, "interval");
        push = List.copyOf(push);
        Objects.requireNonNull(proc, "proc");
        int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes < 1 || nameBytes > 255) {
            throw new IllegalArgumentException("--name '" + name + "': a server name is 1-255 bytes of UTF-8");
        }
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new IllegalArgumentException("--interval " + interval.toMillis() + "ms is too short: at least 100ms");
        }
        if (!push.isEmpty() && key == null) {
            throw new IllegalArgumentException("--push needs --key-file: the balancers refuse reports not signed with the key they share with the agent");
        }
        if (nginxStatus != null && apacheStatus != null) {
            throw new IllegalArgumentException("--nginx-status and --apache-status both given: the agent reports one web server's workers; give one");
        }
        for (URI u : new URI[] {nginxStatus, apacheStatus}) {
            if (u != null && !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                throw new IllegalArgumentException("status URL '" + u + "' is not http:// or https://");
            }
        }
        if (minWeightPercent < 0 || minWeightPercent > 100) {
            throw new IllegalArgumentException("--min-weight " + minWeightPercent + "% is out of range: 0-100%");
        }
        if (maxConn < -1 || maxConn == 0) {
            throw new IllegalArgumentException("--maxconn " + maxConn + ": a positive number of connections");
        }
        if (cgroup != null && !CgroupCpu.readable(cgroup)) {
            throw new IllegalArgumentException("--cgroup " + cgroup + ": no cpu.stat (cgroup v2) or cpuacct.usage (cgroup v1)"
                    + " readable there; give the group's directory, e.g. /sys/fs/cgroup/system.slice/nginx.service");
        }
        if (agentCheck == null && push.isEmpty()) {
            throw new IllegalArgumentException("nothing to do: give --agent-check-port (HAProxy asks the agent) and/or --push host:port (the agent tells balancers)");
        }
    }

    /** Without a control group: the host's CPU is measured. */
    public AgentConfig(String name, Duration interval, InetSocketAddress agentCheck, List<InetSocketAddress> push,
                       byte[] key, URI nginxStatus, URI apacheStatus, Path stateFile, int minWeightPercent,
                       int maxConn, Path proc) {
        this(name, interval, agentCheck, push, key, nginxStatus, apacheStatus, stateFile, minWeightPercent, maxConn, proc, null);
    }
}
