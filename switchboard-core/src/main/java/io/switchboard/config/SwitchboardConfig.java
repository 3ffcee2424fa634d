package io.switchboard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration. Produced by the app's YAML loader, consumed by the proxy.
 *
 * @param source the file it came from, or null for an embedded config
 * @param eventLoops 0 means one per core
 * @param transport "auto", "io_uring", "epoll" or "nio"
 * @param accessLog "stdout", "off" or a file path
 * @param accessLogFormat "combined", "json" or "switchboard" (see {@code AccessLog.Format})
 * @param admin the admin listener (API, dashboard, metrics)
 * @param watchConfig reload {@code source} when it changes (the app's file watcher), as on SIGHUP
 * @param loadReports the UDP receiver of pushed load reports; null when the file has no {@code load-reports}
 * @param dns the authoritative DNS server; null when the file has no {@code dns}
 * @param cluster this balancer's cluster membership; null when the file has no {@code cluster}
 * @param dsr direct server return (the kernel table Switchboard writes); null when the file has no {@code dsr}
 */
public record SwitchboardConfig(Path source, List<ListenerConfig> listeners, Map<String, PoolConfig> pools,
                                int eventLoops, String transport, Duration shutdownGrace, String accessLog,
                                String accessLogFormat, AdminConfig admin, boolean watchConfig,
                                LoadReportsConfig loadReports, DnsConfig dns, ClusterConfig cluster, DsrConfig dsr) {
    public static final String DEFAULT_ACCESS_LOG_FORMAT = "combined";

    public SwitchboardConfig {
        listeners = List.copyOf(listeners);
        pools = Map.copyOf(pools);
        if (accessLogFormat == null) accessLogFormat = DEFAULT_ACCESS_LOG_FORMAT;
        if (admin == null) admin = AdminConfig.DISABLED;
    }

    /** A config without direct server return. */
    public SwitchboardConfig(Path source, List<ListenerConfig> listeners, Map<String, PoolConfig> pools,
                             int eventLoops, String transport, Duration shutdownGrace, String accessLog,
                             String accessLogFormat, AdminConfig admin, boolean watchConfig,
                             LoadReportsConfig loadReports, DnsConfig dns, ClusterConfig cluster) {
        this(source, listeners, pools, eventLoops, transport, shutdownGrace, accessLog, accessLogFormat, admin,
                watchConfig, loadReports, dns, cluster, null);
    }

    /** A config without a cluster section. */
    public SwitchboardConfig(Path source, List<ListenerConfig> listeners, Map<String, PoolConfig> pools,
                             int eventLoops, String transport, Duration shutdownGrace, String accessLog,
                             String accessLogFormat, AdminConfig admin, boolean watchConfig,
                             LoadReportsConfig loadReports, DnsConfig dns) {
        this(source, listeners, pools, eventLoops, transport, shutdownGrace, accessLog, accessLogFormat, admin,
                watchConfig, loadReports, dns, null);
    }

    /** A config without a DNS server. */
    public SwitchboardConfig(Path source, List<ListenerConfig> listeners, Map<String, PoolConfig> pools,
                             int eventLoops, String transport, Duration shutdownGrace, String accessLog,
                             String accessLogFormat, AdminConfig admin, boolean watchConfig,
                             LoadReportsConfig loadReports) {
        this(source, listeners, pools, eventLoops, transport, shutdownGrace, accessLog, accessLogFormat, admin,
                watchConfig, loadReports, null, null);
    }

    /** A config without a receiver of pushed load reports. */
    public SwitchboardConfig(Path source, List<ListenerConfig> listeners, Map<String, PoolConfig> pools,
                             int eventLoops, String transport, Duration shutdownGrace, String accessLog,
                             String accessLogFormat, AdminConfig admin, boolean watchConfig) {
        this(source, listeners, pools, eventLoops, transport, shutdownGrace, accessLog, accessLogFormat, admin,
                watchConfig, null, null, null);
    }

    /** An embedded config (tests, tools): combined access log format, no admin listener. */
    public SwitchboardConfig(Path source, List<ListenerConfig> listeners, Map<String, PoolConfig> pools,
                             int eventLoops, String transport, Duration shutdownGrace, String accessLog) {
        this(source, listeners, pools, eventLoops, transport, shutdownGrace, accessLog, DEFAULT_ACCESS_LOG_FORMAT,
                AdminConfig.DISABLED, true);
    }
}
