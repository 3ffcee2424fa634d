package io.switchboard.proxy.resolve;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.resolver.dns.DnsCache;
import io.netty.resolver.dns.DnsCacheEntry;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The DNS client's "cache" that keeps nothing: it only notes the TTL of each address record the
 * client decodes, so that {@link LoopResolver}, which keeps the answers itself, knows how long an
 * answer may be kept. Netty's resolver hands out addresses without their TTL; this is where it shows
 * them. Failures pass through unnoted: they are never kept anywhere.
 *
 * <p>Records are noted by name and by address: the name the client caches under is the one it
 * queried, which differs from the one asked when a search domain was appended. Notes are dropped by
 * {@link #clear()} once no lookup is in flight, so they cannot pile up.
 *
 * <p>Threading: confined to the loop of its DNS client (the client calls it on that loop).
 */
final class TtlRecorder implements DnsCache {
    private final Map<String, Long> byName = new HashMap<>();
    private final Map<InetAddress, Long> byAddress = new HashMap<>();

    @Override
    public DnsCacheEntry cache(String hostname, DnsRecord[] additionals, InetAddress address, long originalTtl, EventLoop loop) {
        byName.merge(key(hostname), originalTtl, Math::min);
        byAddress.merge(address, originalTtl, Math::min);
        return new Entry(address, null);
    }

    @Override
    public DnsCacheEntry cache(String hostname, DnsRecord[] additionals, Throwable cause, EventLoop loop) {
        return new Entry(null, cause);
    }

    @Override
    public List<? extends DnsCacheEntry> get(String hostname, DnsRecord[] additionals) {
        return null; // every lookup that reaches the client asks a name server
    }

    /**
     * The smallest TTL (seconds) seen for {@code host}'s records, or for {@code address}'s when the
     * name was expanded by a search domain; -1 when the client saw no record (the hosts file answered).
     */
    long take(String host, InetAddress address) {
        Long ttl = byName.remove(key(host));
        if (ttl == null) ttl = byAddress.get(address);
        return ttl == null ? -1 : ttl;
    }

    @Override
    public void clear() {
        byName.clear();
        byAddress.clear();
    }

    @Override
    public boolean clear(String hostname) {
        return byName.remove(key(hostname)) != null;
    }

    /** DNS names compare case-insensitively, with or without the root's dot. */
    private static String key(String hostname) {
        String h = hostname.endsWith(".") ? hostname.substring(0, hostname.length() - 1) : hostname;
        return h.toLowerCase(Locale.ROOT);
    }

    private record Entry(InetAddress address, Throwable cause) implements DnsCacheEntry {}
}
