package io.switchboard.app;

import io.netty.channel.EventLoopGroup;
import io.switchboard.config.DnsConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.dns.Authority;
import io.switchboard.dns.DnsStats;
import io.switchboard.dns.RegistryFeed;
import io.switchboard.proxy.Transport;
import io.switchboard.proxy.dns.DnsListener;
import io.switchboard.proxy.dns.DnsZones;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's authoritative DNS server, kept in step with the config's {@code dns} section:
 * one {@link Authority} fed by the pool registry, and its UDP/TCP {@link DnsListener}. A reload
 * reconfigures the zones in place (serials move forward, rotations continue); a change of
 * {@code listen}, {@code max-udp-payload} or {@code rate-limit} restarts the listener; removing the
 * section stops it. The counters live as long as the dispatcher.
 *
 * <p>Threading: {@link #start}, {@link #reload} and {@link #close} are called under the dispatcher's
 * lock; {@link #stats} and {@link #address} from anywhere.
 */
final class DnsService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsService.class);

    private final PoolRegistry registry;
    private final Transport transport;
    private final EventLoopGroup group;
    private final DnsStats stats = new DnsStats();
    private Authority authority;
    private RegistryFeed feed;
    private volatile DnsListener listener;

    DnsService(PoolRegistry registry, Transport transport, EventLoopGroup group) {
        this.registry = registry;
        this.transport = transport;
        this.group = group;
    }

    DnsStats stats() { return stats; }

    /** Where the DNS server listens (UDP and TCP); null when it is not running. */
    InetSocketAddress address() {
        DnsListener l = listener;
        return l == null ? null : l.localAddress();
    }

    /** Before the health checkers start, so that the first answers see the pools as loaded. */
    void start(SwitchboardConfig config) throws IOException {
        apply(config.dns());
    }

    /** Follows a reload; a listener that cannot bind its new address is logged, and the dispatcher goes on without it. */
    void reload(SwitchboardConfig next) {
        try {
            apply(next.dns());
        } catch (IOException e) {
            log.error("{}; DNS is not answered until a reload fixes it", e.getMessage());
        }
    }

    private void apply(DnsConfig want) throws IOException {
        if (want == null) {
            close();
            return;
        }
        if (authority == null) {
            authority = new Authority(DnsZones.specs(want));
            feed = new RegistryFeed(authority);
            registry.subscribe(feed);
            for (Pool p : registry.pools().values()) {
                authority.updatePool(p.name(), RegistryFeed.servers(p.snapshot().backends()));
            }
        } else {
            authority.reconfigure(DnsZones.specs(want)); // checked by the loader: the same specs compiled there
        }
        DnsListener running = listener;
        if (running != null && running.config().sameListener(want)) return;
        if (running != null) {
            log.info("dns: listen, max-udp-payload or rate-limit changed; restarting the DNS listener");
            running.close();
            listener = null;
        }
        DnsListener l = new DnsListener(want, authority, stats, transport, group);
        l.start();
        listener = l;
    }

    @Override
    public void close() {
        DnsListener l = listener;
        if (l != null) l.close();
        listener = null;
        if (feed != null) registry.unsubscribe(feed);
        feed = null;
        authority = null;
    }
}
