package io.switchboard.app;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.switchboard.admin.AdminServer;
import io.switchboard.admin.Dispatcher.ReloadOutcome;
import io.switchboard.cluster.ClusterStatus;
import io.switchboard.cluster.service.ClusterService;
import io.switchboard.registry.Pool;
import io.switchboard.config.Addresses;
import io.switchboard.config.AdminConfig;
import io.switchboard.config.DurationSyntax;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.dsr.DsrStatus;
import io.switchboard.proxy.AccessLog;
import io.switchboard.proxy.ProxyServer;
import io.switchboard.proxy.tls.TlsSetupException;
import io.switchboard.proxy.Transport;
import io.switchboard.dns.DnsStats;
import io.switchboard.proxy.feedback.LoadReportCounters;
import io.switchboard.proxy.probe.TransitionLog;
import io.switchboard.proxy.resolve.HostResolver;
import io.switchboard.registry.Origin;
import io.switchboard.registry.PoolRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running dispatcher: the event loops, the pools with their health checkers, the access log
 * and the proxy, wired from one {@link SwitchboardConfig}, plus reload and graceful shutdown.
 *
 * <p>Reload (NGINX-style, but in place): the {@link PoolRegistry} reconciles every pool that
 * persists, so its back ends keep their counters, health state and pooled connections, and a changed
 * algorithm or setting is applied to the same pool; new requests see the result through one
 * {@link ProxyServer#update}. A pool's health checker is replaced when its health check (or its {@code send-proxy}, which probes send too) changed. Listeners are set up once, when they bind: a reload that
 * changes any listener setting is rejected and the running config kept. Except a listener's routes
 * and its TLS settings: every reload reads the certificate files again and new handshakes use them
 * (open connections keep theirs); only turning TLS on or off takes a restart. A listener's
 * {@code proxy-protocol}, {@code splice} and {@code validate} apply to connections accepted after
 * the reload (open ones keep theirs). The DNS server ({@link DnsService}) is the exception to
 * "listeners bind once": its zones are reconfigured in place and a changed {@code dns.listen}
 * restarts it.
 *
 * <p>Each part is a service with its own start, reload and stop ({@link HealthCheckers},
 * {@link LoadFeedback}, {@link DnsService}, {@link DsrWiring}, {@link ClusterService}); this class
 * keeps the order in which they start, take a reload and stop, and what a reload must refuse. The
 * log's wording of a config and its changes is {@link ConfigLog}'s.
 *
 * <p>Threading: {@link #reload}, {@link #shutdownGracefully} and {@link #close} are serialized on
 * this object (they come from the main thread, a signal handler, tests); the data plane never takes
 * this lock.
 */
public final class Switchboard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Switchboard.class);

    private final Transport transport;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final AccessLog accessLog;
    /** Back-end host names, for the data plane and the health probes alike (one set of answers). */
    private final HostResolver resolvers;
    private final TransitionLog transitionLog = new TransitionLog();
    private final PoolRegistry registry = PoolRegistry.start();
    private ProxyServer proxy;
    private AdminServer admin;
    private SwitchboardConfig config;
    /** One per pool of the running config. */
    private final HealthCheckers checkers;
    /** The load-report receiver and agent-check pullers of the running config. */
    private final LoadFeedback feedback = new LoadFeedback(registry);
    /** The authoritative DNS server of the running config ({@code dns:}). */
    private final DnsService dns;
    /** This node's part in a cluster of balancers ({@code cluster:}); null without one. Volatile: read without the lock. */
    private volatile ClusterService cluster;
    /** The kernel's direct-server-return table ({@code dsr:}). */
    private final DsrWiring dsr = new DsrWiring(registry);
    private boolean closed;

    private Switchboard(SwitchboardConfig config, Transport transport, EventLoopGroup group, boolean ownsGroup,
                        AccessLog accessLog) {
        this.config = config;
        this.transport = transport;
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.accessLog = accessLog;
        this.resolvers = HostResolver.system(transport);
        this.dns = new DnsService(registry, transport, group);
        this.checkers = new HealthCheckers(registry, transport, group, resolvers);
    }

    /**
     * Starts a dispatcher with its own event loops, as the config's {@code transport} and
     * {@code event-loops} ask.
     *
     * @throws IOException when a listener cannot bind (the message names the address) or the access
     *     log cannot be opened
     */
    public static Switchboard start(SwitchboardConfig config) throws IOException, InterruptedException {
        Transport transport = Transport.select(config.transport());
        EventLoopGroup group = transport.newGroup(config.eventLoops(), new DefaultThreadFactory("switchboard-loop", true));
        try {
            return start(config, transport, group, true);
        } catch (IOException | InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Starts a dispatcher on event loops the caller owns and shuts down (the demo shares its loops with
     * its back ends). The config's {@code transport} and {@code event-loops} are then not consulted.
     */
    public static Switchboard start(SwitchboardConfig config, Transport transport, EventLoopGroup group)
            throws IOException, InterruptedException {
        return start(config, transport, group, false);
    }

    private static Switchboard start(SwitchboardConfig config, Transport transport, EventLoopGroup group, boolean ownsGroup)
            throws IOException, InterruptedException {
        AccessLog accessLog;
        try {
            accessLog = AccessLog.open(config.accessLog(), AccessLog.Format.parse(config.accessLogFormat()));
        } catch (IOException e) {
            throw new IOException("access-log: cannot open " + config.accessLog() + ": " + e.getMessage(), e);
        }
        Switchboard sb = new Switchboard(config, transport, group, ownsGroup, accessLog);
        try {
            sb.startAll();
        } catch (IOException | InterruptedException | RuntimeException e) {
            sb.stopAll(Duration.ZERO);
            throw e;
        }
        return sb;
    }

    private synchronized void startAll() throws IOException, InterruptedException {
        registry.subscribe(transitionLog);
        registry.reload(config.pools().values(), Origin.FILE);
        checkers.create(config);
        int loops = 0;
        for (var ignored : group) loops++;
        log.info("Switchboard {} on Java {} ({}), transport {}, {} event loop{}", Main.version(), Runtime.version(),
                System.getProperty("java.vendor"), transport.name(), loops, loops == 1 ? "" : "s");
        proxy = new ProxyServer(config, registry.pools(), accessLog, transport, group, resolvers);
        proxy.start();
        dns.start(config);
        checkers.start();
        feedback.start(config);
        dsr.start(config);
        startCluster();
        logStartup();
        startAdmin();
    }

    /** Joins the cluster once the proxy serves, so that the addresses this node takes are served at once. */
    private void startCluster() throws IOException {
        if (config.cluster() == null) return;
        ClusterService c = new ClusterService(config.cluster());
        c.replicate(config.cluster().replicate(), registry, proxy.state().persistence());
        cluster = c;
        try {
            c.start();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cluster: joining group " + config.cluster().group() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The direct-server-return table in force, its last error and the kernel's packet counters (asked
     * of nft now); null without a {@code dsr} section.
     */
    public DsrStatus dsrStatus() {
        return dsr.status();
    }

    /** What this node knows of its cluster; null when it is not in one. Never waits for a reload or shutdown. */
    public ClusterStatus clusterStatus() {
        ClusterService c = cluster;
        return c == null ? null : c.status();
    }

    /**
     * The admin listener (API, dashboard, metrics). It never keeps the data plane from starting: an
     * admin port in use (say, by the previous process still draining) is logged, not fatal.
     */
    private void startAdmin() throws InterruptedException {
        AdminConfig ac = config.admin();
        if (!ac.enabled()) return;
        AdminServer a = new AdminServer(ac, new SwitchboardDispatcher(this), transport, group);
        try {
            a.start();
            admin = a;
        } catch (IOException e) {
            log.error("admin API not started: {}; the dispatcher runs without it", e.getMessage());
        }
    }

    private void logStartup() {
        for (ListenerConfig l : config.listeners()) {
            PoolConfig pc = config.pools().get(l.defaultPool());
            log.info("listening on {} -> pool {} ({}, {})", address(proxy.boundAddress(l.name())), pc.name(), pc.algorithm(),
                    LoadedConfig.count(pc.servers().size(), "server"));
        }
        for (PoolConfig pc : new TreeMap<>(config.pools()).values()) log.info("pool {}: {}", pc.name(), ConfigLog.describe(pc));
        log.info("access log: {}", config.accessLog());
    }

    private static String address(InetSocketAddress a) {
        return Addresses.of(a);
    }

    public Transport transport() { return transport; }
    /** The admin listener, or null when it is disabled or could not bind. */
    public synchronized AdminServer admin() { return admin; }
    synchronized ProxyServer proxy() { return proxy; }
    AccessLog accessLog() { return accessLog; }

    /** SIGUSR1: the access log file is opened again by its name (logrotate has renamed it); no-op for stdout or off. */
    void reopenLogs() {
        log.info("reopening the access log {}", config().accessLog());
        accessLog.reopen();
    }
    public EventLoopGroup group() { return group; }
    public synchronized SwitchboardConfig config() { return config; }

    /** The live pools by name (an immutable view; the pools themselves are live). */
    public Map<String, Pool> pools() {
        return registry.pools();
    }

    /** What became of pushed load reports and agent-check pulls (admin metrics). */
    public LoadReportCounters loadReportCounters() {
        return feedback.counters();
    }

    /** Where the load-report receiver listens (UDP); null when it is not running. */
    public synchronized InetSocketAddress loadReportAddress() {
        return feedback.receiverAddress();
    }

    /** The authoritative DNS server's counters (admin metrics); they survive reloads. */
    public DnsStats dnsStats() {
        return dns.stats();
    }

    /** Where the DNS server listens (UDP and TCP); null when it is not running. */
    public InetSocketAddress dnsAddress() {
        return dns.address();
    }

    /** The registry of this dispatcher's pools: subscribe to its events, submit changes. */
    public PoolRegistry registry() {
        return registry;
    }

    /** Where a listener is bound, its port resolved when configured as 0. */
    public InetSocketAddress boundAddress(String listenerName) {
        return proxy.boundAddress(listenerName);
    }

    /**
     * Applies a new config to the running dispatcher. New requests see it at once; requests in flight
     * finish with what they started with.
     *
     * @throws ConfigException when the new config changes the listeners (they are bound once, at
     *     start) or the cluster section (joined once); nothing is applied then
     */
    public synchronized void reload(SwitchboardConfig next) throws ConfigException {
        if (closed) throw new IllegalStateException("switchboard is shut down");
        String file = next.source() == null ? "(config)" : next.source().toString();
        String listenerChange = ConfigLog.listenerChange(config, next);
        if (listenerChange != null) {
            throw new ConfigException(new ConfigProblem(ConfigProblem.Severity.ERROR, file, 0, 0, "listeners",
                    listenerChange + "; listeners are set up when they bind, so restart Switchboard to change them"
                            + " (the running config is kept)"));
        }
        String clusterChange = ClusterSection.reloadChange(config.cluster(), next.cluster());
        if (clusterChange != null) {
            throw new ConfigException(new ConfigProblem(ConfigProblem.Severity.ERROR, file, 0, 0, "cluster", clusterChange));
        }
        warnIfChanged("transport", config.transport(), next.transport());
        warnIfChanged("event-loops", config.eventLoops(), next.eventLoops());
        warnIfChanged("access-log", config.accessLog(), next.accessLog());
        warnIfChanged("access-log-format", config.accessLogFormat(), next.accessLogFormat());

        Runnable useNewTls;
        try {
            useNewTls = proxy.prepareTls(next); // certificate files read again: renewed files are picked up
        } catch (TlsSetupException e) {
            throw new ConfigException(new ConfigProblem(ConfigProblem.Severity.ERROR, file, 0, 0, "listeners",
                    e.getMessage() + " (the running config is kept)"));
        }

        PoolRegistry.Reload done = registry.reload(next.pools().values(), Origin.FILE);
        for (PoolConfig pc : next.pools().values()) {
            PoolConfig before = config.pools().get(pc.name());
            String changes = before == null ? null : ConfigLog.serverChanges(before, pc);
            if (changes != null) log.info("pool {}: {}", pc.name(), changes);
        }
        HealthCheckers.Next nextCheckers = checkers.prepare(config, next, done.removed());
        for (Map.Entry<String, String> c : ConfigLog.connectionSettingChanges(config, next)) {
            log.info("listener {}: {} changed; new connections use it, open ones keep what they started with", c.getKey(), c.getValue());
        }
        proxy.update(next, registry.pools());
        useNewTls.run();
        nextCheckers.startNew();
        feedback.reload(next);
        dns.reload(next);
        dsr.reload(next);
        adminReload(config.admin(), next.admin());
        config = next;
        checkers.use(nextCheckers);
        log.info("reloaded {}: {}{}{}{}", file, new LoadedConfig(next, List.of()).summary(),
                done.added().isEmpty() ? "" : "; pools added: " + String.join(", ", done.added()),
                done.removed().isEmpty() ? "" : "; pools removed: " + String.join(", ", done.removed()),
                done.reconfigured().isEmpty() ? "" : "; pools reconfigured (algorithm or settings changed, back ends and health state kept): "
                        + String.join(", ", done.reconfigured()));
    }

    /**
     * Reloads the file the running config came from (SIGHUP). Every problem is logged; on any error
     * the running config stays in force.
     *
     * @return true when the new config was applied
     */
    public boolean reloadFromSource() {
        return reloadFromSource("signal or file change").applied();
    }

    /**
     * Reads the config file again and applies it; every problem is logged and returned. The one
     * reload path for SIGHUP, the file watcher and the admin API.
     */
    public ReloadOutcome reloadFromSource(String why) {
        SwitchboardConfig current = config();
        if (current.source() == null) {
            String msg = "reload requested, but the running config did not come from a file; nothing to reload";
            log.warn(msg);
            return new ReloadOutcome(false, null, null, List.of(msg), List.of());
        }
        String file = current.source().toString();
        log.info("reloading {} ({})", file, why);
        try {
            LoadedConfig loaded = ConfigLoader.load(current.source());
            List<String> warnings = loaded.warnings().stream().map(ConfigProblem::toString).toList();
            for (String w : warnings) log.warn("{}", w);
            reload(loaded.config());
            return new ReloadOutcome(true, file, loaded.summary(), List.of(), warnings);
        } catch (ConfigException e) {
            List<String> errors = e.problems().stream().map(ConfigProblem::toString).toList();
            for (String p : errors) log.error("{}", p);
            log.error("reload failed ({}); the running config is kept", LoadedConfig.count(errors.size(), "error"));
            return new ReloadOutcome(false, file, null, errors, List.of());
        } catch (RuntimeException e) {
            log.error("reload failed; the running config is kept", e);
            return new ReloadOutcome(false, file, null, List.of(String.valueOf(e.getMessage())), List.of());
        }
    }

    /** A new token applies at once (rotate it without a restart); the listener's address needs a restart. */
    private void adminReload(AdminConfig before, AdminConfig after) {
        if (before.enabled() != after.enabled() || !before.host().equals(after.host()) || before.port() != after.port()) {
            log.warn("admin changed from {} to {}; this takes effect at the next restart", before, after);
        }
        if (admin != null && !Objects.equals(before.token(), after.token())) {
            admin.token(after.token());
            log.info("admin token changed{}", after.hasToken() ? " (now from " + after.tokenSource() + ")" : ": none now, the API is read-only");
        }
    }

    private static void warnIfChanged(String key, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            log.warn("{} changed from {} to {}; this takes effect at the next restart", key, before, after);
        }
    }

    /**
     * Stops accepting, lets requests in flight finish for up to the config's {@code shutdown-grace},
     * then closes everything. Idempotent.
     *
     * @return true when every request in flight finished in time
     */
    public boolean shutdownGracefully() {
        return shutdownGracefully(config().shutdownGrace());
    }

    public synchronized boolean shutdownGracefully(Duration grace) {
        if (closed) return true;
        log.info("shutting down: finishing requests in flight for up to {}", DurationSyntax.format(grace));
        boolean clean = stopAll(grace);
        log.info(clean ? "stopped" : "stopped; some requests were cut off at the end of the grace period");
        return clean;
    }

    /** Stops at once: requests in flight are cut off. */
    @Override
    public synchronized void close() {
        if (!closed) stopAll(Duration.ZERO);
    }

    private synchronized boolean stopAll(Duration grace) {
        closed = true;
        boolean clean = true;
        // Leave first: the others take this node's addresses while its requests in flight finish.
        if (cluster != null) cluster.close();
        if (admin != null) admin.close();
        if (proxy != null) {
            clean = grace.isZero() ? closeProxy() : proxy.shutdownGracefully(grace);
        }
        checkers.close();
        feedback.close();
        dns.close();
        dsr.close();
        registry.unsubscribe(transitionLog);
        registry.close();
        accessLog.close();
        resolvers.close();
        if (ownsGroup) group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        return clean;
    }

    private boolean closeProxy() {
        proxy.close();
        return true;
    }
}
