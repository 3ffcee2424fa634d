package io.switchboard.admin;

import io.switchboard.proxy.AccessLog;
import io.switchboard.proxy.ExchangeListener;
import io.switchboard.proxy.ListenerCounters;
import io.switchboard.registry.Pool;
import java.util.List;
import java.util.Map;

/**
 * A {@link Dispatcher} for the admin API's tests without sockets: no listeners, no pools, no config
 * file, no access log, empty queues. A test overrides what its resource reads.
 */
class StubDispatcher implements Dispatcher {
    @Override public List<ListenerInfo> listeners() { return List.of(); }
    @Override public Map<String, Pool> pools() { return Map.of(); }
    @Override public String configFile() { return null; }
    @Override public ReloadOutcome reloadConfig() { throw new AssertionError("no file"); }
    @Override public void addExchangeListener(ExchangeListener l) { }
    @Override public AccessLog accessLog() { return AccessLog.OFF; }
    @Override public String version() { return "t"; }
    @Override public int queueLength(Pool p) { return 0; }
    @Override public List<ListenerCounters> listenerCounters() { return List.of(); }
}
