package io.switchboard.proxy.resolve;

import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.EventExecutor;
import io.switchboard.proxy.Transport;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * How back-end host names become addresses, for one proxy: a {@link LoopResolver} per event loop,
 * made on first use, each with its own DNS client (Netty's {@link DnsNameResolver}: a UDP channel of
 * the proxy's transport on that loop) and its own answers. As an {@link AddressResolverGroup} it is
 * what a {@code Bootstrap} connecting to a name asks, so a lookup runs on the loop of the connecting
 * channel and never blocks it.
 *
 * <p>Names are looked up in {@code /etc/hosts} first, then in DNS: the name servers and search
 * domains of {@code /etc/resolv.conf} ({@link #system}), or the given name servers and no search
 * domains ({@link #using}). An answer is kept for its TTL, bounded by {@link #MIN_TTL_SECONDS} and
 * {@link #MAX_TTL_SECONDS}; a failure is never kept (see {@link LoopResolver}).
 *
 * <p>Threading: thread-safe; {@link #on} may be called from any thread, the {@link LoopResolver} it
 * returns is confined to its loop. {@link #close} (or the loops terminating) closes the DNS channels.
 */
public final class HostResolver extends AddressResolverGroup<InetSocketAddress> {
    /** A TTL of 0 means "do not keep": each new connection then asks again, as the zone's owner wants. */
    public static final int MIN_TTL_SECONDS = 0;
    /** Even a name with a week-long TTL is asked again daily, so a stale zone cannot pin an address forever. */
    public static final int MAX_TTL_SECONDS = 86_400;
    /** How long one query waits for a name server before the next is tried (Netty's default is 5 s). */
    static final long QUERY_TIMEOUT_MILLIS = 2_000;

    private final Transport transport;
    private final List<InetSocketAddress> nameServers;

    private HostResolver(Transport transport, List<InetSocketAddress> nameServers) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.nameServers = List.copyOf(nameServers);
    }

    /** The system's name servers and search domains ({@code /etc/resolv.conf}) and {@code /etc/hosts}. */
    public static HostResolver system(Transport transport) {
        return new HostResolver(transport, List.of());
    }

    /**
     * These name servers, asked in order, no search domains (names are taken as fully qualified), and
     * {@code /etc/hosts} first. An empty list means {@link #system}.
     */
    public static HostResolver using(Transport transport, List<InetSocketAddress> nameServers) {
        return new HostResolver(transport, nameServers);
    }

    /** The name servers asked; empty for those of {@code /etc/resolv.conf}. */
    public List<InetSocketAddress> nameServers() {
        return nameServers;
    }

    /** The resolver of this loop; made on first use, then the same one. */
    public LoopResolver on(EventLoop loop) {
        return (LoopResolver) getResolver(loop);
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        if (!(executor instanceof EventLoop loop)) {
            throw new IllegalArgumentException("host names are resolved on event loops, not on " + executor);
        }
        return new LoopResolver(loop, this);
    }

    /** A DNS client on {@code loop} whose answers go to {@code cache} (the loop resolver keeps them, not Netty). */
    DnsNameResolver newDnsClient(EventLoop loop, TtlRecorder cache) {
        DnsNameResolverBuilder b = new DnsNameResolverBuilder(loop)
                .datagramChannelType(transport.datagramChannel()) // the loop's own transport: it can only register that
                .resolveCache(cache)
                .queryTimeoutMillis(QUERY_TIMEOUT_MILLIS);
        if (!nameServers.isEmpty()) {
            b.nameServerProvider(new SequentialDnsServerAddressStreamProvider(nameServers)).searchDomains(List.of());
        }
        return b.build();
    }
}
