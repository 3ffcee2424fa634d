package io.switchboard.app;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.switchboard.admin.AdminServer;
import io.switchboard.admin.Dispatcher.ReloadOutcome;
import io.switchboard.app.dsr.DsrService;
import io.switchboard.app.dsr.Neighbours;
import io.switchboard.app.dsr.Nft;
import io.switchboard.cluster.ClusterStatus;
import io.switchboard.cluster.service.ClusterService;
import io.switchboard.config.AdminState;
import io.switchboard.registry.Change;
import io.switchboard.registry.Pool;
import io.switchboard.config.Addresses;
import io.switchboard.config.AdminConfig;
import io.switchboard.config.DurationSyntax;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.SizeSyntax;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.config.TcpValidateConfig;
import io.switchboard.config.DsrConfig;
import io.switchboard.dsr.DsrStatus;
import io.switchboard.proxy.AccessLog;
import io.switchboard.proxy.ProxyServer;
import io.switchboard.proxy.tls.TlsSetupException;
import io.switchboard.proxy.Transport;
import io.switchboard.dns.DnsStats;
import io.switchboard.proxy.feedback.LoadReportCounters;
import io.switchboard.proxy.probe.HealthChecker;
import io.switchboard.proxy.probe.TransitionLog;
import io.switchboard.proxy.resolve.HostResolver;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
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
    /** One per pool of the running config, by pool name. */
    private Map<String, HealthChecker> checkers = new LinkedHashMap<>();
    /** The load-report receiver and agent-check pullers of the running config. */
    private final LoadFeedback feedback = new LoadFeedback(registry);
    /** The authoritative DNS server of the running config ({@code dns:}). */
    private final DnsService dns;
    /** This node's part in a cluster of balancers ({@code cluster:}); null without one. Volatile: read without the lock. */
    private volatile ClusterService cluster;
    /** The kernel's direct-server-return table ({@code dsr:}); null until a config has the section. Volatile: read without the lock. */
    private volatile DsrService dsr;
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
        for (PoolConfig pc : config.pools().values()) checkers.put(pc.name(), newChecker(pc));
        int loops = 0;
        for (var ignored : group) loops++;
        log.info("Switchboard {} on Java {} ({}), transport {}, {} event loop{}", Main.version(), Runtime.version(),
                System.getProperty("java.vendor"), transport.name(), loops, loops == 1 ? "" : "s");
        proxy = new ProxyServer(config, registry.pools(), accessLog, transport, group, resolvers);
        proxy.start();
        dns.start(config);
        for (HealthChecker c : checkers.values()) c.start();
        feedback.start(config);
        dsrFollow(config.dsr());
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

    /** Writes, rewrites or (with {@code want} null) deletes the direct-server-return table; its errors are logged, never fatal. */
    private void dsrFollow(DsrConfig want) {
        DsrService d = dsr;
        if (want == null && d == null) return;
        if (d == null) {
            d = new DsrService(registry, Nft.system(), Neighbours.system());
            dsr = d;
            d.start(want);
        } else {
            d.reload(want);
        }
    }

    /**
     * The direct-server-return table in force, its last error and the kernel's packet counters (asked
     * of nft now); null without a {@code dsr} section.
     */
    public DsrStatus dsrStatus() {
        DsrService d = dsr;
        return d == null ? null : d.statusWithCounters();
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

    private HealthChecker newChecker(PoolConfig pc) {
        return new HealthChecker(registry.pool(pc.name()), pc.health(), transport, group, resolvers, pc.tls(), pc.sendProxy());
    }

    private void logStartup() {
        for (ListenerConfig l : config.listeners()) {
            PoolConfig pc = config.pools().get(l.defaultPool());
            log.info("listening on {} -> pool {} ({}, {})", address(proxy.boundAddress(l.name())), pc.name(), pc.algorithm(),
                    LoadedConfig.count(pc.servers().size(), "server"));
        }
        for (PoolConfig pc : new TreeMap<>(config.pools()).values()) log.info("pool {}: {}", pc.name(), describe(pc));
        log.info("access log: {}", config.accessLog());
    }

    /** How many servers a pool's start-up line names; the rest are counted (a pool of 10,000 made a 300 kB line). */
    static final int DESCRIBED_SERVERS = 10;

    /** "3 servers (alpha 127.0.0.1:40001, ...), health http GET /health every 2s"; past 10 servers, "... and 9,990 more". */
    static String describe(PoolConfig pc) {
        StringBuilder sb = new StringBuilder(LoadedConfig.count(pc.servers().size(), "server"));
        if (!pc.servers().isEmpty()) {
            sb.append(" (");
            int shown = Math.min(pc.servers().size(), DESCRIBED_SERVERS);
            for (int i = 0; i < shown; i++) {
                var s = pc.servers().get(i);
                if (i > 0) sb.append(", ");
                sb.append(s.name()).append(' ').append(s.address());
                if (s.weight() != 1) sb.append(" weight ").append(s.weight());
                if (s.state() != AdminState.READY) sb.append(' ').append(s.state().label());
            }
            if (shown < pc.servers().size()) sb.append(" and ").append(pc.servers().size() - shown).append(" more");
            sb.append(')');
        }
        HealthCheckConfig h = pc.health();
        sb.append(", health ");
        switch (h.type()) {
            case NONE -> sb.append("off");
            case TCP -> sb.append("tcp every ").append(DurationSyntax.format(h.interval()));
            case HTTP -> sb.append("http ").append(h.method()).append(' ').append(h.path()).append(" every ")
                    .append(DurationSyntax.format(h.interval()));
        }
        if (pc.passive().enabled()) {
            sb.append(", eject after ").append(pc.passive().consecutiveFailures()).append(" failures");
        }
        return sb.toString();
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
        String listenerChange = listenerChange(config, next);
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
        Map<String, HealthChecker> nextCheckers = new LinkedHashMap<>();
        List<HealthChecker> toStart = new ArrayList<>();
        for (PoolConfig pc : next.pools().values()) {
            PoolConfig before = config.pools().get(pc.name());
            HealthChecker cur = checkers.get(pc.name());
            if (before != null) {
                String changes = serverChanges(before, pc);
                if (changes != null) log.info("pool {}: {}", pc.name(), changes);
            }
            if (cur != null && before != null && before.health().equals(pc.health())
                    && Objects.equals(before.tls(), pc.tls()) && before.sendProxy() == pc.sendProxy()) {
                nextCheckers.put(pc.name(), cur);
            } else {
                // the checker's interval, path and probe are fixed at construction
                if (cur != null) cur.close();
                HealthChecker checker = newChecker(pc);
                toStart.add(checker);
                nextCheckers.put(pc.name(), checker);
            }
        }
        for (String removed : done.removed()) {
            HealthChecker c = checkers.get(removed);
            if (c != null) c.close();
        }
        logConnectionSettings(config, next);
        proxy.update(next, registry.pools());
        useNewTls.run();
        for (HealthChecker c : toStart) c.start();
        feedback.reload(next);
        dns.reload(next);
        dsrFollow(next.dsr());
        adminReload(config.admin(), next.admin());
        config = next;
        checkers = nextCheckers;
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

    /**
     * What a reload changes in a pool's servers, for the log ("added c; removed b; a weight 1 -> 0"):
     * state changes are logged by the pool's transitions, weight changes would otherwise go unseen.
     * Null when nothing changed.
     */
    static String serverChanges(PoolConfig before, PoolConfig after) {
        List<ServerConfig> a = before.servers();
        List<ServerConfig> b = after.servers();
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        // A reload usually keeps the servers in their order: compare them position by position, and
        // look names up only from where the two lists stop lining up.
        int i = 0;
        int common = Math.min(a.size(), b.size());
        while (i < common && a.get(i).name().equals(b.get(i).name())) {
            describeChange(a.get(i), b.get(i), changed);
            i++;
        }
        Map<String, ServerConfig> old = new LinkedHashMap<>();
        for (int j = i; j < a.size(); j++) old.put(a.get(j).name(), a.get(j));
        for (int j = i; j < b.size(); j++) {
            ServerConfig s = b.get(j);
            ServerConfig o = old.remove(s.name());
            if (o == null) {
                added.add(s.name());
            } else {
                describeChange(o, s, changed);
            }
        }
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) parts.add("added " + String.join(", ", added));
        if (!old.isEmpty()) parts.add("removed " + String.join(", ", old.keySet()));
        if (!changed.isEmpty()) parts.add(String.join("; ", changed));
        return parts.isEmpty() ? null : "servers " + String.join("; ", parts);
    }

    /** Adds "name what changed" to {@code changed}; formats nothing for a server that did not change. */
    private static void describeChange(ServerConfig o, ServerConfig s, List<String> changed) {
        if (o.equals(s)) return;
        List<String> what = new ArrayList<>();
        if (!o.host().equals(s.host()) || o.port() != s.port()) what.add("address " + o.address() + " -> " + s.address());
        if (o.weight() != s.weight()) what.add("weight " + o.weight() + " -> " + s.weight());
        if (o.state() != s.state()) what.add("state " + o.state().label() + " -> " + s.state().label());
        if (!o.tags().equals(s.tags())) what.add("tags " + new TreeSet<>(o.tags()) + " -> " + new TreeSet<>(s.tags()));
        if (o.sendProxy() != s.sendProxy()) what.add(("send-proxy " + o.sendProxy() + " -> " + s.sendProxy()).toLowerCase(Locale.ROOT));
        if (!what.isEmpty()) changed.add(s.name() + " " + String.join(", ", what));
    }

    /**
     * Null when both configs have the same listeners; otherwise what differs, for people. Any change
     * counts, not only the socket: the proxy sets up each listener's pipeline (limits, timeouts,
     * default pool) once, when it binds.
     */
    static String listenerChange(SwitchboardConfig before, SwitchboardConfig after) {
        Map<String, ListenerConfig> a = byName(before);
        Map<String, ListenerConfig> b = byName(after);
        List<String> tlsSwitched = tlsSwitched(before, after);
        if (a.equals(b) && tlsSwitched.isEmpty()) return null;
        List<String> parts = new ArrayList<>(tlsSwitched);
        b.forEach((name, l) -> {
            ListenerConfig o = a.get(name);
            if (o == null) {
                parts.add("added '" + name + "' on " + l.address());
            } else if (!o.address().equals(l.address())) {
                parts.add("moved '" + name + "' from " + o.address() + " to " + l.address());
            } else if (!o.equals(l)) {
                parts.add("changed '" + name + "' " + String.join(", ", settingChanges(o, l)));
            }
        });
        a.forEach((name, l) -> {
            if (!b.containsKey(name)) parts.add("removed '" + name + "' on " + l.address());
        });
        return "listeners changed (" + String.join("; ", parts) + ")";
    }

    private static List<String> settingChanges(ListenerConfig o, ListenerConfig l) {
        List<String> what = new ArrayList<>();
        if (o.mode() != l.mode()) what.add(("mode " + o.mode() + " -> " + l.mode()).toLowerCase(Locale.ROOT));
        else if (o.servesHttp() != l.servesHttp()) {
            // validate: http puts the HTTP front end on the socket; the other validators the TCP one
            what.add("validate " + (o.servesHttp() ? "http -> " + l.validate().kind() : o.validate().kind() + " -> http").toLowerCase(Locale.ROOT));
        }
        if (!o.defaultPool().equals(l.defaultPool())) what.add("default-pool " + o.defaultPool() + " -> " + l.defaultPool());
        if (!o.headerTimeout().equals(l.headerTimeout())) {
            what.add("header-timeout " + DurationSyntax.format(o.headerTimeout()) + " -> " + DurationSyntax.format(l.headerTimeout()));
        }
        if (!o.clientIdleTimeout().equals(l.clientIdleTimeout())) {
            what.add("client-idle-timeout " + DurationSyntax.format(o.clientIdleTimeout()) + " -> "
                    + DurationSyntax.format(l.clientIdleTimeout()));
        }
        if (o.maxInitialLineLength() != l.maxInitialLineLength()) {
            what.add("max-request-line " + SizeSyntax.format(o.maxInitialLineLength()) + " -> " + SizeSyntax.format(l.maxInitialLineLength()));
        }
        if (o.maxHeaderSize() != l.maxHeaderSize()) {
            what.add("max-header-size " + SizeSyntax.format(o.maxHeaderSize()) + " -> " + SizeSyntax.format(l.maxHeaderSize()));
        }
        if (o.maxHeaders() != l.maxHeaders()) what.add("max-headers " + o.maxHeaders() + " -> " + l.maxHeaders());
        GuardConfig og = o.guard();
        GuardConfig ng = l.guard();
        if (og.maxConnections() != ng.maxConnections()) what.add("max-connections " + og.maxConnections() + " -> " + ng.maxConnections());
        if (og.maxConnectionsPerIp() != ng.maxConnectionsPerIp()) {
            what.add("max-connections-per-ip " + og.maxConnectionsPerIp() + " -> " + ng.maxConnectionsPerIp());
        }
        if (og.requestsPerSecond() != ng.requestsPerSecond() || og.burst() != ng.burst()) what.add("rate-limit");
        if (!og.allow().equals(ng.allow())) what.add("allow");
        if (!og.deny().equals(ng.deny())) what.add("deny");
        return what;
    }

    private static Map<String, ListenerConfig> byName(SwitchboardConfig c) {
        Map<String, ListenerConfig> m = new LinkedHashMap<>();
        // routes and TLS settings change without a rebind (TLS: for handshakes after the reload), and so
        // do proxy-protocol, splice and validate (for connections accepted after it)
        for (ListenerConfig l : c.listeners()) {
            // ... except validate: http, which puts the HTTP front end on the socket instead of the TCP one
            TcpValidateConfig kept = l.validate() != null && l.validate().kind() == TcpValidateConfig.Kind.HTTP ? l.validate() : null;
            m.put(l.name(), l.withRoutes(List.of()).withTls(null).withProxyProtocol(null).withSplice(null).withValidate(kept));
        }
        return m;
    }

    /** The listener settings a reload applies to new connections only (open ones keep theirs): said in the log. */
    private static void logConnectionSettings(SwitchboardConfig before, SwitchboardConfig after) {
        for (ListenerConfig l : after.listeners()) {
            for (ListenerConfig o : before.listeners()) {
                if (!o.name().equals(l.name())) continue;
                List<String> what = new ArrayList<>();
                if (!Objects.equals(o.proxyProtocol(), l.proxyProtocol())) what.add("proxy-protocol");
                if (o.splice() != l.splice()) what.add("splice");
                if (!o.validate().equals(l.validate())) what.add("validate");
                if (!what.isEmpty()) {
                    log.info("listener {}: {} changed; new connections use it, open ones keep what they started with",
                            l.name(), String.join(", ", what));
                }
            }
        }
    }

    /** Turning TLS on or off changes what a listener speaks: that takes a restart. */
    private static List<String> tlsSwitched(SwitchboardConfig before, SwitchboardConfig after) {
        List<String> out = new ArrayList<>();
        for (ListenerConfig l : after.listeners()) {
            for (ListenerConfig o : before.listeners()) {
                if (o.name().equals(l.name()) && (o.tls() == null) != (l.tls() == null)) {
                    out.add("changed '" + l.name() + "' tls " + (o.tls() == null ? "off -> on" : "on -> off"));
                }
            }
        }
        return out;
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
        for (HealthChecker c : checkers.values()) c.close();
        feedback.close();
        dns.close();
        if (dsr != null) dsr.close();
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
