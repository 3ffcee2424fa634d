package io.switchboard.proxy.guard;

import io.netty.channel.Channel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.ListenerConfig;
import java.util.function.LongSupplier;

/**
 * What the guard handlers of one listener share: connection counts, the rate table, the address
 * policy and the throttled log lines. It lives on the listener's server channel (an attribute, set
 * once by the first connection), so it is created when the listener starts accepting and dropped
 * with it; a channel without a parent (an in-memory test channel) gets one of its own.
 *
 * <p>Threading: created on any event loop; everything in it is thread-safe.
 */
public final class ListenerGuard {
    /** Where a listener's server channels hold their guard (set by the server bootstrap, before binding). */
    public static final AttributeKey<ListenerGuard> KEY = AttributeKey.valueOf(ListenerGuard.class, "guard");

    final String listener;
    final GuardConfig config;
    final ConnectionCounts connections;
    final AccessPolicy access;
    final RateTable rates;
    final LongSupplier clock;
    final RejectionLog connectionLog;
    final RejectionLog accessLog;
    final RejectionLog rateLog;

    ListenerGuard(ListenerConfig listener, LongSupplier clock, int rateTableCapacity) {
        this.listener = listener.name();
        this.config = listener.guard();
        this.connections = new ConnectionCounts(config.maxConnections(), config.maxConnectionsPerIp());
        this.access = new AccessPolicy(config.allow(), config.deny());
        this.rates = config.limitsRate() ? new RateTable(config.requestsPerSecond(), config.burst(), rateTableCapacity) : null;
        this.clock = clock;
        this.connectionLog = new RejectionLog(this.listener, "closed connection at accept from");
        this.accessLog = new RejectionLog(this.listener, "answered 403 to");
        this.rateLog = new RejectionLog(this.listener, "answered 429 to");
    }

    /**
     * The guard state of a listener, to be shared by all its server channels (with SO_REUSEPORT a
     * listener has one per event loop, and its limits and rate table must still be one).
     */
    public static ListenerGuard forListener(ListenerConfig listener) {
        return new ListenerGuard(listener, System::nanoTime, RateTable.DEFAULT_CAPACITY);
    }

    static ListenerGuard of(Channel ch, ListenerConfig listener) {
        Channel server = ch.parent();
        if (server == null) return new ListenerGuard(listener, System::nanoTime, RateTable.DEFAULT_CAPACITY);
        Attribute<ListenerGuard> attr = server.attr(KEY);
        ListenerGuard g = attr.get();
        if (g == null) {
            g = new ListenerGuard(listener, System::nanoTime, RateTable.DEFAULT_CAPACITY);
            ListenerGuard first = attr.setIfAbsent(g);
            if (first != null) g = first;
        }
        return g;
    }
}
