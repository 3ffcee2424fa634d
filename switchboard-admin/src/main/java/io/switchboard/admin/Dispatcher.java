package io.switchboard.admin;

import io.switchboard.cluster.ClusterStatus;
import io.switchboard.dsr.DsrStatus;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.persist.PersistenceState;
import io.switchboard.proxy.AccessLog;
import io.switchboard.proxy.ExchangeListener;
import io.switchboard.proxy.ListenerCounters;
import io.switchboard.dns.DnsStats;
import io.switchboard.proxy.feedback.LoadReportCounters;
import io.switchboard.registry.Pool;
import io.switchboard.route.Router;
import java.util.List;
import java.util.Map;

/**
 * The running dispatcher as the admin plane sees it: what only the application can answer or do
 * (its listeners, its live pools, reloading its config file). The app implements it; the admin
 * module never depends on the app.
 *
 * <p>Threading: every method may be called from the admin worker thread while the data plane runs;
 * {@link #reloadConfig} may block (it reads the file) and is never called on an event loop.
 */
public interface Dispatcher {
    /** A bound listener: {@code address} and {@code port} are where it actually listens. */
    record ListenerInfo(String name, String address, int port, String defaultPool) {}

    /**
     * What a config reload did.
     *
     * @param applied false when the running config was kept
     * @param errors each "file:line: key: message", empty when applied
     */
    record ReloadOutcome(boolean applied, String file, String summary, List<String> errors, List<String> warnings) {
        public ReloadOutcome {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }
    }

    List<ListenerInfo> listeners();

    /**
     * The listener's routes in order with their hit counters, then the default as the last row; empty
     * when the listener has no routes (or there is no such listener).
     */
    default List<Router.RuleStats> routes(String listener) {
        return List.of();
    }

    /** The live pools by name, in config order. Replaced pools (a reload rebuilt them) are new objects. */
    Map<String, Pool> pools();

    /** The file the running config came from, or null for an embedded config (nothing to reload). */
    String configFile();

    /** Reads the config file again and applies it, as SIGHUP does; never throws for a bad file. */
    ReloadOutcome reloadConfig();

    /** Every finished exchange is reported to {@code l} on its event loop. */
    void addExchangeListener(ExchangeListener l);

    AccessLog accessLog();

    /** Requests of {@code pool} waiting for a back end below its max-connections (the pool's queue). */
    int queueLength(Pool pool);

    /** Requests of {@code pool} waiting in its queue per service class, most urgent first; empty when unknown. */
    default Map<String, Integer> queuedByClass(Pool pool) {
        return Map.of();
    }

    /** Every listener's connection and refusal counters (the proxy's {@code ProxyState#listenerCounters}). */
    List<ListenerCounters> listenerCounters();

    /** Session persistence by pool (stick tables, rejected cookies); null when the dispatcher keeps none. */
    default PersistenceState persistence() {
        return null;
    }

    /** What became of pushed load reports and agent-check pulls; null when the dispatcher keeps no such counts. */
    default LoadReportCounters loadReports() {
        return null;
    }

    /** The authoritative DNS server's counters; null when no DNS server is configured. */
    default DnsStats dns() {
        return null;
    }

    /** The open sessions of the {@code mode: tcp} listeners (the binding table); null when the dispatcher keeps none. */
    default SessionTable sessions() {
        return null;
    }

    /**
     * What this node knows of its cluster of balancers (members, coordinator, who holds which virtual
     * address, replication counters); null when the config has no {@code cluster} section.
     */
    default ClusterStatus clusterStatus() {
        return null;
    }

    /** The direct-server-return table in force (servers, MACs, slots) and its last error; null without a {@code dsr} section. */
    default DsrStatus dsrStatus() {
        return null;
    }

    /** The software version, for the dashboard and {@code /api/v1/overview}. */
    String version();
}
