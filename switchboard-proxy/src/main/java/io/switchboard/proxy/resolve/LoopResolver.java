package io.switchboard.proxy.resolve;

import io.netty.channel.EventLoop;
import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.switchboard.backend.Backend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Host names to addresses on one event loop, never blocking it.
 *
 * <ul>
 *   <li>An IP literal is never looked up: its address is made once per back end ({@link #cached}).
 *   <li>A name's answer is kept for its TTL ({@link HostResolver#MIN_TTL_SECONDS} to {@link
 *       HostResolver#MAX_TTL_SECONDS}; 60 s for an {@code /etc/hosts} entry, which Netty reads once).
 *       While it lasts, a new connection costs one map lookup and a clock read; then the next
 *       connection asks again, so a name whose address changes is followed within one TTL.
 *   <li>A failure (NXDOMAIN, SERVFAIL, timeout) fails the connections that waited for that lookup
 *       and is not kept: the next connection asks again. Nor is an expired answer used after a
 *       failure: a name that no longer resolves is not connected to.
 *   <li>Concurrent connections to a name that needs asking share one lookup.
 *   <li>A name with several addresses: the first of the answer is used (IPv4 first, in the name
 *       server's order; Netty does not rotate). To balance over them, configure each as its own server.
 * </ul>
 *
 * <p>As a Netty address resolver it is what {@code Bootstrap.resolver(hostResolver)} uses for an
 * unresolved address, so the connect waits for the lookup without blocking the loop.
 *
 * <p>Threading: confined to its loop; {@link #resolve(String)} and {@link #cached} must be called on
 * it. A resolve through the {@link AbstractAddressResolver} methods from another thread hops onto
 * the loop first. The DNS client (one UDP channel) is made on the first name looked up.
 */
public final class LoopResolver extends AbstractAddressResolver<InetSocketAddress> {
    /** Netty reads /etc/hosts once; its answers are asked for again this often all the same (it costs nothing). */
    static final long HOSTS_FILE_SECONDS = 60;

    private final EventLoop loop;
    private final HostResolver parent;
    private final TtlRecorder ttls = new TtlRecorder();
    private final Map<String, Name> names = new HashMap<>();
    private final Map<Backend, Target> targets = new IdentityHashMap<>();
    private DnsNameResolver dns;
    private int inFlight;
    private long lookups;
    private boolean closed;

    LoopResolver(EventLoop loop, HostResolver parent) {
        super(loop, InetSocketAddress.class);
        this.loop = loop;
        this.parent = parent;
    }

    /**
     * Where to connect to {@code backend} without asking anyone, or null when its name must be looked
     * up first ({@link #resolve(String)}, or an unresolved address through this resolver). An IP
     * literal's address is made once; a name's is made again only when its answer changed.
     */
    public InetSocketAddress cached(Backend backend) {
        Target t = targets.get(backend);
        if (t == null) {
            t = new Target(backend);
            targets.put(backend, t);
        }
        if (t.literal != null) return t.literal;
        Name n = t.name;
        InetAddress a = n.address;
        if (a == null || System.nanoTime() - n.expiresAt >= 0) return null;
        InetSocketAddress last = t.last;
        if (last == null || last.getAddress() != a) t.last = last = new InetSocketAddress(a, t.port);
        return last;
    }

    /** The address of {@code host}: at once for an IP literal or a kept answer, else after one lookup. */
    public Future<InetAddress> resolve(String host) {
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
        if (literal != null) return loop.newSucceededFuture(literal);
        return lookup(names.computeIfAbsent(host, Name::new));
    }

    /** DNS lookups started on this loop (answers from what was kept do not count); for tests and metrics. */
    public long lookups() {
        return lookups;
    }

    private Future<InetAddress> lookup(Name n) {
        if (n.address != null && System.nanoTime() - n.expiresAt < 0) return loop.newSucceededFuture(n.address);
        if (n.pending != null) return n.pending;
        Promise<InetAddress> p = loop.newPromise();
        n.pending = p;
        lookups++;
        inFlight++;
        Future<InetAddress> f;
        try {
            if (closed) throw new IllegalStateException("host resolver closed");
            if (dns == null) dns = parent.newDnsClient(loop, ttls);
            f = dns.resolve(n.host);
        } catch (RuntimeException e) {
            f = loop.newFailedFuture(e);
        }
        f.addListener(done -> finish(n, p, done));
        return p;
    }

    private void finish(Name n, Promise<InetAddress> p, Future<?> done) {
        n.pending = null;
        if (done.isSuccess()) {
            InetAddress a = (InetAddress) done.getNow();
            long ttl = ttls.take(n.host, a);
            long seconds = ttl < 0 ? HOSTS_FILE_SECONDS
                    : Math.max(HostResolver.MIN_TTL_SECONDS, Math.min(HostResolver.MAX_TTL_SECONDS, ttl));
            n.address = a;
            n.expiresAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            p.trySuccess(a);
        } else {
            n.address = null; // it had expired, or there was no lookup; a failure itself is never kept
            p.tryFailure(done.cause());
        }
        if (--inFlight == 0) ttls.clear();
    }

    @Override
    protected boolean doIsResolved(InetSocketAddress address) {
        return !address.isUnresolved();
    }

    @Override
    protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> doResolve(unresolved, promise));
            return;
        }
        int port = unresolved.getPort();
        resolve(unresolved.getHostString()).addListener((Future<InetAddress> f) -> {
            if (f.isSuccess()) {
                promise.trySuccess(new InetSocketAddress(f.getNow(), port));
            } else {
                promise.tryFailure(f.cause());
            }
        });
    }

    @Override
    protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
        Promise<InetSocketAddress> one = loop.newPromise();
        one.addListener((Future<InetSocketAddress> f) -> {
            if (f.isSuccess()) promise.trySuccess(List.of(f.getNow()));
            else promise.tryFailure(f.cause());
        });
        doResolve(unresolved, one);
    }

    /** Closes the DNS client; lookups after this fail. Called by {@link HostResolver#close} or when the loop ends. */
    @Override
    public void close() {
        if (!loop.inEventLoop()) {
            if (!loop.isShuttingDown()) {
                loop.execute(this::close);
                return;
            }
        }
        closed = true;
        if (dns != null) dns.close();
    }

    /** What is known about one name on this loop. */
    private static final class Name {
        final String host;
        InetAddress address; // null: never resolved, or the last lookup failed
        long expiresAt;
        Promise<InetAddress> pending;

        Name(String host) {
            this.host = host;
        }
    }

    /** One back end's address: fixed for an IP literal, else made from its name's current answer. */
    private final class Target {
        final InetSocketAddress literal;
        final Name name;
        final int port;
        InetSocketAddress last;

        Target(Backend backend) {
            this.port = backend.port();
            InetAddress ip = NetUtil.createInetAddressFromIpAddressString(backend.host());
            this.literal = ip == null ? null : new InetSocketAddress(ip, port);
            this.name = ip == null ? names.computeIfAbsent(backend.host(), Name::new) : null;
        }
    }
}
