package io.switchboard.app;

import io.switchboard.admin.Dispatcher;
import io.switchboard.cluster.ClusterStatus;
import io.switchboard.config.ListenerConfig;
import io.switchboard.dsr.DsrStatus;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.persist.PersistenceState;
import io.switchboard.proxy.AccessLog;
import io.switchboard.proxy.ExchangeListener;
import io.switchboard.proxy.ListenerCounters;
import io.switchboard.dns.DnsStats;
import io.switchboard.proxy.feedback.LoadReportCounters;
import io.switchboard.registry.Pool;
import io.switchboard.route.Router;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the admin plane asks of a running {@link Switchboard}: its listeners and pools, and a reload
 * of its config file that reports, rather than only logs, what went wrong.
 *
 * <p>Threading: called on the admin worker thread; the Switchboard serializes reloads itself.
 */
final class SwitchboardDispatcher implements Dispatcher {

    private final Switchboard switchboard;

    SwitchboardDispatcher(Switchboard switchboard) {
        this.switchboard = switchboard;
    }

    @Override
    public ClusterStatus clusterStatus() {
        return switchboard.clusterStatus();
    }

    @Override
    public DsrStatus dsrStatus() {
        return switchboard.dsrStatus();
    }

    @Override
    public List<ListenerInfo> listeners() {
        List<ListenerInfo> out = new ArrayList<>();
        for (ListenerConfig l : switchboard.config().listeners()) {
            InetSocketAddress a = switchboard.boundAddress(l.name());
            out.add(new ListenerInfo(l.name(), a.getAddress().getHostAddress(), a.getPort(), l.defaultPool()));
        }
        return out;
    }

    @Override
    public List<Router.RuleStats> routes(String listener) {
        Router r = switchboard.proxy().state().routing().router(listener);
        return r == null ? List.of() : r.stats();
    }

    @Override
    public Map<String, Pool> pools() {
        return switchboard.pools();
    }

    @Override
    public String configFile() {
        SwitchboardConfig c = switchboard.config();
        return c.source() == null ? null : c.source().toString();
    }

    /** The same reload as SIGHUP ({@link Switchboard#reloadFromSource(String)}); every problem goes back to the caller. */
    @Override
    public ReloadOutcome reloadConfig() {
        return switchboard.reloadFromSource("admin API");
    }

    @Override
    public void addExchangeListener(ExchangeListener l) {
        switchboard.proxy().state().addExchangeListener(l);
    }

    @Override
    public AccessLog accessLog() {
        return switchboard.accessLog();
    }

    @Override
    public String version() {
        return Main.version();
    }

    @Override
    public int queueLength(Pool pool) {
        return switchboard.proxy().state().queueLength(pool);
    }

    @Override
    public Map<String, Integer> queuedByClass(Pool pool) {
        return switchboard.proxy().state().queuedByClass(pool);
    }

    @Override
    public PersistenceState persistence() {
        return switchboard.proxy().state().persistence();
    }

    @Override
    public LoadReportCounters loadReports() {
        return switchboard.loadReportCounters();
    }

    @Override
    public DnsStats dns() {
        return switchboard.config().dns() == null ? null : switchboard.dnsStats();
    }

    @Override
    public SessionTable sessions() {
        return switchboard.proxy().state().sessions();
    }

    @Override
    public List<ListenerCounters> listenerCounters() {
        return switchboard.proxy().state().listenerCounters().all();
    }
}
