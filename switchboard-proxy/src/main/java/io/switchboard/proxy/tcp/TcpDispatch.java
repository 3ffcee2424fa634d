package io.switchboard.proxy.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.switchboard.backend.Backend;
import io.switchboard.balance.PickContext;
import io.switchboard.config.ProxyProtocolVersion;
import io.switchboard.dispatch.Outcome;
import io.switchboard.dispatch.PoolDispatch;
import io.switchboard.proxy.proxyprotocol.ClientAddress;
import io.switchboard.proxy.proxyprotocol.ProxyHeader;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Choosing and connecting the server of a {@link TcpSession}: pick and reserve as an HTTP request does
 * ({@link PoolDispatch#reserve}), wait in the pool's queue when every eligible server is full, connect
 * on the client's loop with the same transport (behind a PROXY header when the server or its pool
 * sends one), and charge a failed connect and try another server within the pool's {@code retries}.
 * A connected back end goes to {@link TcpSession#connected}, which starts the relay.
 *
 * <p>Static methods over the session's fields, not an object of its own: one more allocation per
 * session would be one more per connection.
 *
 * <p>Threading: the client channel's event loop; only {@link TcpSession#wake()} is called from other
 * threads, and it hands over to that loop.
 */
final class TcpDispatch {
    /** The session's logger: its lines keep the category they had before this was split off. */
    private static final Logger log = LoggerFactory.getLogger(TcpSession.class);

    private TcpDispatch() {}

    static void dispatch(TcpSession s) {
        while (!s.ended) {
            s.attempts.begin();
            long now = System.nanoTime();
            PickContext pc = s.dispatch.forClass(new PickContext(s.hash, now, ThreadLocalRandom.current(), s.attempts.excluded()),
                    s.classConfig.tags());
            boolean wokenForThis = s.woken;
            s.woken = false;
            // Fairness as for requests: behind those already waiting, unless the slot was freed for us.
            Backend b = !wokenForThis && s.dispatch.mustQueue(s.classRank, now) ? null : s.dispatch.reserve(s.preferred, pc);
            if (b == null) {
                if (s.dispatch.busy(pc)) {
                    s.attempts.unbegin(); // waiting is not an attempt
                    enqueue(s, now, pc);
                    return;
                }
                s.end(null, s.attempts.triedSome() ? "all servers tried failed in pool '" + s.dispatch.pool().name() + "'"
                        : "no server available in pool '" + s.dispatch.pool().name() + "'");
                return;
            }
            s.server = b;
            s.reserved = true;
            s.dispatch.charge(b, 1); // a connection costs one request: layer 4 has no routes
            if (s.queueTimer != null) {
                s.queueTimer.cancel(false);
                s.queueTimer = null;
            }
            ChannelFuture f = connect(s, b);
            if (f.isDone()) {
                if (f.isSuccess()) {
                    s.connected(f.channel());
                    return;
                }
                if (!connectFailed(s, b, f.cause())) return;
                continue;
            }
            f.addListener((ChannelFutureListener) done -> {
                if (s.ended || s.server != b) {
                    if (done.isSuccess()) done.channel().close();
                    return;
                }
                if (done.isSuccess()) s.connected(done.channel());
                else if (connectFailed(s, b, done.cause())) dispatch(s);
            });
            return;
        }
    }

    private static ChannelFuture connect(TcpSession s, Backend b) {
        EventLoop loop = s.client.eventLoop();
        InetSocketAddress addr = s.state.resolvers().on(loop).cached(b);
        long timeout = s.poolConfig.connectTimeout().toMillis();
        return new Bootstrap()
                .group(loop)
                .channel(s.state.transport().channel())
                .resolver(s.state.resolvers())
                .option(ChannelOption.AUTO_READ, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout)))
                .handler(sendProxy(s, b, new TcpBackendHandler(s)))
                .connect(addr != null ? addr : InetSocketAddress.createUnresolved(b.host(), b.port()));
    }

    /**
     * The back-end connection's handler, behind the PROXY-protocol header when the server (its own
     * {@code send-proxy}, else its pool's) gets one: the header (the client's address, carried or real,
     * and the listener's) goes before any client byte.
     */
    private static ChannelHandler sendProxy(TcpSession s, Backend b, ChannelHandler backend) {
        ProxyProtocolVersion version = b.sendProxy().or(s.poolConfig.sendProxy());
        if (version == null) return backend;
        SocketAddress from = ClientAddress.of(s.client);
        SocketAddress to = s.client.localAddress();
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(ProxyHeader.sender(version, from, to));
                ch.pipeline().addLast(backend);
            }
        };
    }

    /** @return true when another server should be tried */
    private static boolean connectFailed(TcpSession s, Backend b, Throwable why) {
        String what = why == null ? "unknown" : why.getClass().getSimpleName() + ": " + why.getMessage();
        log.debug("tcp session {} on {}: connect to {} ({}) failed: {}", s.entry.id(), s.listener.name(), b.name(), b.address(), what);
        Outcome o = s.attempts.connectFailed(b);
        s.reserved = false;
        s.dispatch.complete(b, o, -1, 0, 0, System.nanoTime(), "connect " + what);
        if (s.attempts.mayRetry(o, true)) return true;
        s.end(null, "no server of pool '" + s.dispatch.pool().name() + "' could be reached; last: " + b.name() + ": " + what);
        return false;
    }

    // ---------------------------------------------------------------- the pool's queue

    private static void enqueue(TcpSession s, long now, PickContext pc) {
        if (s.ticket != null) {
            s.ticket = s.ticket.requeue(); // woken, but the slot went to someone else: back to the front
        } else {
            s.ticket = s.dispatch.queue().offer(s, s.classRank, s.classConfig.queueSize(), s.classConfig.tags(), now,
                    s.poolConfig.classAgeBound().toNanos());
            if (s.ticket == null) {
                s.end(null, "queue of class '" + s.classConfig.name() + "' in pool '" + s.dispatch.pool().name() + "' full");
                return;
            }
            s.queueTimer = s.client.eventLoop().schedule(() -> queueTimedOut(s), s.classConfig.queueTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        s.waiting = true;
        // A slot freed on another loop between our look and the offer woke nobody: look once more.
        Backend room = s.dispatch.roomFor(pc);
        if (room != null) s.dispatch.queue().wakeOne(now, room);
    }

    /** On the session's loop, after {@link TcpSession#wake()}: a server freed a slot. */
    static void dequeued(TcpSession s) {
        if (s.ended || !s.waiting) {
            passWakeUpOn(s); // we left meanwhile
            return;
        }
        s.waiting = false;
        s.woken = true;
        dispatch(s);
    }

    private static void queueTimedOut(TcpSession s) {
        s.queueTimer = null;
        if (s.ended || !s.waiting) return;
        s.end(null, "waited " + s.classConfig.queueTimeout().toMillis() + " ms in the queue of pool '"
                + s.dispatch.pool().name() + "': every server at max-connections");
    }

    /** The session ends: it leaves the queue; a wake-up that came for it meanwhile goes to the next waiter. */
    static void leave(TcpSession s) {
        if (s.queueTimer != null) {
            s.queueTimer.cancel(false);
            s.queueTimer = null;
        }
        if (s.waiting) {
            s.waiting = false;
            if (!s.ticket.cancel()) passWakeUpOn(s); // woken meanwhile: the slot goes to the next waiter
        }
    }

    private static void passWakeUpOn(TcpSession s) {
        long now = System.nanoTime();
        Backend room = s.dispatch.roomFor(new PickContext(0, now, ThreadLocalRandom.current(), null));
        s.dispatch.queue().wakeOne(now, room);
    }
}
