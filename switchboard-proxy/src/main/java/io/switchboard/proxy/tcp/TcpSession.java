package io.switchboard.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.backend.Backend;
import io.switchboard.balance.RequestView;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.proxy.proxyprotocol.ClientAddress;
import io.switchboard.config.ServiceClassConfig;
import io.switchboard.dispatch.Attempts;
import io.switchboard.dispatch.DispatchQueue;
import io.switchboard.dispatch.Outcome;
import io.switchboard.dispatch.PoolDispatch;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.proxy.ListenerCounters;
import io.switchboard.proxy.ProxyState;
import io.switchboard.proxy.guard.RequestGuard;
import io.switchboard.proxy.guard.Verdict;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP session of a {@code mode: tcp} listener, from accept to the end of both directions: the
 * client side's handler, which also drives the back-end channel through {@link TcpBackendHandler}.
 *
 * <ol>
 *   <li>At accept: an entry in the {@link SessionTable}; the allow/deny lists; the client is not read
 *       until a back end is connected, so what it sends meanwhile mostly waits in the kernel's socket
 *       buffer. The native transports still read once when the client half-closes (to see the EOF):
 *       those bytes, and the FIN, are held here (at most {@link #MAX_HELD_BYTES}) and go to the back
 *       end first once it is connected.</li>
 *   <li>Pick and reserve as an HTTP request does ({@link PoolDispatch#reserve}: algorithm with the
 *       client address as the key for source hashing, max-connections), waiting in the pool's queue
 *       when every eligible server is full; connect on the client's loop with the same transport;
 *       a failed connect is charged and retried on another server within the pool's {@code retries}
 *       (nothing was sent yet). That is {@link TcpDispatch}'s.</li>
 *   <li>Relay: bytes both ways unread, back-pressure by reading a side only while the other can take
 *       more (checked after every write, as the HTTP tunnel does). A FIN one way becomes a FIN the
 *       other way ({@code shutdownOutput}) after what was written went out; the session ends when both
 *       directions are done, on a reset or error, or after the listener's {@code client-idle-timeout}
 *       with no byte either way.</li>
 *   <li>The end, once: the attempt is accounted ({@link PoolDispatch#complete}; the server counts in
 *       flight for least-conn and max-connections until then), the entry removed, both channels closed.</li>
 * </ol>
 *
 * <p>Splice ({@code splice: on}, or {@code auto}, on epoll): once the back end is connected the bytes
 * move in the kernel; see {@link SpliceRelay}. The session then no longer toggles reading itself.
 *
 * <p>A session whose back end breaks (an error or reset from it) is charged to the server; an idle
 * timeout or a client that leaves is not.
 *
 * <p>Threading: the client channel's event loop, shared with the back-end channel; only {@link #wake()}
 * is called from other threads, and it hands over to that loop.
 */
final class TcpSession extends ChannelInboundHandlerAdapter implements DispatchQueue.Waiter {
    private static final Logger log = LoggerFactory.getLogger(TcpSession.class);
    /** Client bytes held while no back end is connected; more ends the session (it ignored back-pressure). */
    static final int MAX_HELD_BYTES = 1 << 20;
    /** The pool a validator chose for the session before it started (TLS passthrough: by SNI); unset: the default pool. */
    static final AttributeKey<String> POOL = AttributeKey.valueOf("switchboard.tcp.pool");
    /** The server a validator asks the session to go back to when it can (a resumed TLS 1.2 session ID); unset: none. */
    static final AttributeKey<String> STICK_TO = AttributeKey.valueOf("switchboard.tcp.stick-to");
    /** What reads the server's first bytes for a validator (the TLS session ID); unset: none. */
    static final AttributeKey<ServerHelloWatch> SERVER_HELLO = AttributeKey.valueOf("switchboard.tcp.server-hello");

    final ProxyState state;
    final ListenerConfig listener;
    private final RequestGuard access;
    private final ListenerCounters counters;
    /** For the access-log line's duration. */
    private final long startNanos = System.nanoTime();
    private boolean counted;
    Channel client;
    SessionTable.Session entry;

    // Choosing and connecting (TcpDispatch's, kept here: no object of its own per session).
    PoolDispatch dispatch;
    PoolConfig poolConfig;
    Attempts attempts;
    int classRank;
    ServiceClassConfig classConfig;
    long hash;
    Backend server;
    boolean reserved;
    Backend preferred;
    private ServerHelloWatch helloWatch;

    DispatchQueue.Ticket ticket;
    ScheduledFuture<?> queueTimer;
    boolean waiting;
    boolean woken;

    private Channel backend;
    /** Client bytes read before a back end was connected, in order; null when none. */
    private ArrayDeque<ByteBuf> held;
    private int heldBytes;
    private boolean clientInputDone;
    private boolean backendInputDone;
    private boolean backendBroke;
    boolean ended;

    /** When bytes last moved either way (System.nanoTime at the end of a read); the idle timeout's clock. */
    private long lastActive;
    private ScheduledFuture<?> idleTimer;

    /** Set at accept when this session will splice once connected; null: it relays through buffers. */
    private SpliceRelay splice;
    private boolean spliced;

    TcpSession(ProxyState state, ListenerConfig listener, RequestGuard access) {
        this.state = state;
        this.listener = listener;
        this.access = access;
        this.counters = state.listenerCounters().of(listener.name());
    }

    /**
     * The client's address as this session uses it (binding table, source hashing): the address a
     * trusted PROXY-protocol header carried, else the peer of the accepted socket.
     */
    static InetSocketAddress clientAddress(Channel client) {
        SocketAddress a = ClientAddress.of(client);
        return a instanceof InetSocketAddress i ? i : null;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.client = ctx.channel();
        // Not read until a back end is connected (the head of the pipeline reads after this returns).
        client.config().setAutoRead(false);
        counters.connectionOpened();
        counted = true;
        InetSocketAddress addr = clientAddress(client);
        String ip = addr == null ? "" : addr.getAddress().getHostAddress();
        entry = state.sessions().open(listener.name(), addr == null ? String.valueOf(client.remoteAddress())
                : ip + ":" + addr.getPort(), System.currentTimeMillis());
        splice = SpliceRelay.prepare(this, listener, client, entry); // before the client's first read
        lastActive = System.nanoTime();
        scheduleIdleCheck(listener.clientIdleTimeout().toNanos());
        Verdict refused = access == null ? null : access.check();
        if (refused != null) {
            counters.refused(refused.status());
            end(null, "refused at accept: " + refused);
            return;
        }
        String chosen = client.attr(POOL).get();
        String poolName = chosen != null ? chosen : listener.defaultPool();
        dispatch = state.dispatch(poolName);
        poolConfig = state.poolConfig(poolName);
        if (dispatch == null || poolConfig == null) {
            end(null, "no pool '" + poolName + "'");
            return;
        }
        String stick = client.attr(STICK_TO).get();
        if (stick != null) preferred = dispatch.persistent(stick);
        helloWatch = client.attr(SERVER_HELLO).get();
        attempts = dispatch.attempts(poolConfig.retries(), poolConfig.retryOn());
        classRank = poolConfig.classRank(null);
        classConfig = poolConfig.classes().get(classRank);
        // Path-keyed algorithms see the empty target, as an HTTP request without a path does.
        hash = dispatch.pool().algorithm().affinityKey().hash(new RequestView() {
            @Override
            public String clientAddress() { return ip; }

            @Override
            public String target() { return ""; }
        });
        TcpDispatch.dispatch(this);
    }

    // ---------------------------------------------------------------- connected (choosing and connecting: TcpDispatch)

    /** The back end is connected: the session is bound, and the client is read from now on. */
    void connected(Channel ch) {
        backend = ch;
        entry.bind(dispatch.pool().name(), server.name());
        // The first bytes to the back end: what the client sent while we connected.
        if (held != null) {
            for (ByteBuf b; (b = held.poll()) != null; ) {
                entry.up(b.readableBytes());
                ch.write(b, ch.voidPromise());
            }
            held = null;
            ch.flush();
        }
        if (clientInputDone) shutdownOutputAfterWrites(ch, backendInputDone);
        else if (splice != null && splice.start(client, ch, entry)) spliced = true;
        else client.config().setAutoRead(true);
    }

    // ---------------------------------------------------------------- the pool's queue (TcpDispatch)

    /** Called from any thread by the pool's queue when a server freed a slot. */
    @Override
    public void wake() {
        client.eventLoop().execute(() -> TcpDispatch.dequeued(this));
    }

    // ---------------------------------------------------------------- relaying: client side

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ended || !(msg instanceof ByteBuf b)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (backend == null) {
            hold(b);
            return;
        }
        entry.up(b.readableBytes());
        backend.write(b, backend.voidPromise());
        if (!spliced && !backend.isWritable()) client.config().setAutoRead(false);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastActive = System.nanoTime();
        if (!ended && backend != null) backend.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ended && !spliced && backend != null && client.isWritable()) backend.config().setAutoRead(true);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            clientInputDone = true;
            if (spliced && !splice.drainAfterFin(client, backend, entry::up)) return;
            if (backend != null) shutdownOutputAfterWrites(backend, backendInputDone); // else passed on when connected
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end(Outcome.OK, "client closed");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        end(Outcome.CLIENT_FAULT, "client connection broke: " + cause);
    }

    private void hold(ByteBuf b) {
        heldBytes += b.readableBytes();
        if (held == null) held = new ArrayDeque<>(2);
        held.add(b);
        if (heldBytes > MAX_HELD_BYTES) end(null, "client sent more than " + MAX_HELD_BYTES + " bytes before a server was connected");
    }

    // ---------------------------------------------------------------- relaying: back-end side (TcpBackendHandler)

    void fromBackend(Channel ch, ByteBuf b) {
        if (ended || ch != backend) {
            b.release();
            return;
        }
        entry.down(b.readableBytes());
        if (helloWatch != null && helloWatch.seen(b, dispatch.pool().name(), server.name())) helloWatch = null;
        client.write(b, client.voidPromise());
        if (!spliced && !client.isWritable()) backend.config().setAutoRead(false);
    }

    void backendReadComplete() {
        lastActive = System.nanoTime();
        if (!ended) client.flush();
    }

    // ---------------------------------------------------------------- the idle timeout

    /*
     * Not Netty's IdleStateHandler: it stamps the clock on every read and write and, to see a write
     * finish, swaps each write's void promise for a new one with a listener, about 4 % of a relay's
     * CPU on small messages. A read on either side is enough here (every byte written to one side was
     * read from the other), stamped once per read batch; the one timer per session re-arms itself.
     */
    private void scheduleIdleCheck(long inNanos) {
        idleTimer = client.eventLoop().schedule(this::checkIdle, Math.max(inNanos, 1_000_000L), TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        idleTimer = null;
        if (ended || spliced) return; // a spliced session's bytes pass no handler: SpliceRelay asks the kernel instead
        long timeout = listener.clientIdleTimeout().toNanos();
        long quiet = System.nanoTime() - lastActive;
        if (quiet >= timeout) end(Outcome.CLIENT_FAULT, "idle for " + listener.clientIdleTimeout().toMillis() + " ms");
        else scheduleIdleCheck(timeout - quiet);
    }

    void backendWritable(Channel ch) {
        if (!ended && !spliced && ch == backend && ch.isWritable()) client.config().setAutoRead(true);
    }

    void backendInputShutdown(Channel ch) {
        if (ch != backend) return;
        backendInputDone = true;
        if (spliced && !splice.drainAfterFin(backend, client, entry::down)) return;
        shutdownOutputAfterWrites(client, clientInputDone);
    }

    void backendInactive(Channel ch) {
        if (ch == backend) end(backendBroke ? Outcome.BROKEN_MID_RESPONSE : Outcome.OK, "server closed");
    }

    void backendFailed(Channel ch, Throwable cause) {
        if (ch != backend) return;
        backendBroke = true;
        end(Outcome.BROKEN_MID_RESPONSE, "server connection broke: " + cause);
    }

    /**
     * One direction is done: the FIN goes on to {@code to} after what was written to it went out; with
     * the other direction done as well, the session is over.
     */
    private void shutdownOutputAfterWrites(Channel to, boolean otherDirectionDone) {
        if (otherDirectionDone) {
            end(Outcome.OK, "both sides finished");
            return;
        }
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) return; // the close that follows ends the session
            if (to instanceof DuplexChannel d) d.shutdownOutput();
            else to.close();
        });
    }

    // ---------------------------------------------------------------- the end

    /** Whether the session has ended (its relay's late callbacks are ignored then). */
    boolean ended() {
        return ended;
    }

    /**
     * Ends the session once: accounts the attempt ({@code outcome}; null when no server was reserved
     * or it was already accounted), removes the binding, closes both channels after their pending writes.
     */
    void end(Outcome outcome, String why) {
        if (ended) return;
        ended = true;
        if (splice != null) splice.cancel();
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
        TcpDispatch.leave(this);
        if (reserved) {
            reserved = false;
            dispatch.complete(server, outcome == null ? Outcome.CLIENT_FAULT : outcome, -1, entry.bytesUp(),
                    entry.bytesDown(), System.nanoTime(), why);
        }
        if (attempts != null) attempts.finish();
        if (counted) {
            counted = false;
            counters.connectionClosed();
        }
        if (held != null) {
            held.forEach(ByteBuf::release);
            held = null;
        }
        if (entry != null) {
            state.sessions().close(entry);
            if (log.isDebugEnabled()) {
                log.debug("tcp session {} on {} from {} to {} ended: {} ({} bytes up, {} down)", entry.id(), listener.name(),
                        entry.client(), entry.server(), why, entry.bytesUp(), entry.bytesDown());
            }
            TcpSessionLog.ended(state, listener.name(), client, entry, attempts == null ? 0 : attempts.retried(), startNanos, why);
        }
        closeAfterWrites(client);
        if (backend != null) closeAfterWrites(backend);
    }

    private static void closeAfterWrites(Channel ch) {
        if (ch == null) return;
        if (ch.isActive()) ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        else ch.close();
    }
}
