package io.switchboard.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.TcpValidateConfig;
import io.switchboard.dispatch.Outcome;
import io.switchboard.dispatch.SessionTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The splice(2) relay of one {@link TcpSession} on the epoll transport: once its back end is connected
 * and the held bytes are queued, each direction is handed to Netty's {@code spliceTo}, which moves the
 * bytes socket to pipe to socket in the kernel; back-pressure is Netty's there (a source stops reading
 * while its splice to the other side is pending). Spliced bytes pass no handler: the binding table
 * counts them through {@link SpliceCounter}, and the idle timeout is checked against the kernel's own
 * clocks of the client socket (TCP_INFO: milliseconds since the last data received and sent) instead
 * of the session's read clock (no read reaches the session any more). A FIN still arrives as an input-shutdown event; what Netty's splice
 * left in the socket then is read by {@link #drainAfterFin} and goes on after the spliced bytes.
 *
 * <p>Threading: the session's event loop.
 */
final class SpliceRelay {
    /**
     * What {@code splice: auto} means on the epoll transport: splice. bench/run tcp-1m (1 MB responses,
     * 16 connections, epoll): 1454 MB/s at 363 us CPU per MB with splice, 1096 MB/s at 723 us through
     * buffers; tiny keep-alive requests (tcp) cost more with it (24.2 against 20.2 us each), figures in
     * docs/configuration.md.
     */
    static final boolean SPLICE_BY_DEFAULT = true;
    private static final int DRAIN_CHUNK = 64 * 1024;

    private final TcpSession session;
    private final ListenerConfig listener;
    private final SpliceCounter upCounter;
    private ScheduledFuture<?> idleCheck;

    private SpliceRelay(TcpSession session, ListenerConfig listener, SpliceCounter upCounter) {
        this.session = session;
        this.listener = listener;
        this.upCounter = upCounter;
    }

    /**
     * At accept, before the client's first read (the channel keeps the receive handle it makes then):
     * the relay when the listener wants splice and the client is on epoll, else null.
     */
    static SpliceRelay prepare(TcpSession session, ListenerConfig listener, Channel client, SessionTable.Session entry) {
        if (!wanted(listener) || !(client instanceof EpollSocketChannel)) return null;
        SpliceCounter up = new SpliceCounter(client.config().getRecvByteBufAllocator(), entry::up);
        client.config().setRecvByteBufAllocator(up);
        return new SpliceRelay(session, listener, up);
    }

    private static boolean wanted(ListenerConfig listener) {
        // A validator reads the session's bytes (lines, the server's hello): they cannot bypass user space.
        if (listener.validate().kind() != TcpValidateConfig.Kind.NONE) return false;
        return switch (listener.splice()) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> SPLICE_BY_DEFAULT;
        };
    }

    /**
     * Hands both directions to splice(2) when both channels are on epoll (always together: one
     * transport, one loop).
     *
     * @return false when the session relays through buffers instead
     */
    @SuppressWarnings("deprecation") // spliceTo and EpollMode: deprecated in Netty 4.2, no replacement for splice yet
    boolean start(Channel client, Channel backend, SessionTable.Session entry) {
        if (!(client instanceof EpollSocketChannel c) || !(backend instanceof EpollSocketChannel b)) return false;
        SpliceCounter downCounter = new SpliceCounter(b.config().getRecvByteBufAllocator(), entry::down);
        b.config().setRecvByteBufAllocator(downCounter); // not read yet: connected() runs before its first read
        c.config().setEpollMode(EpollMode.LEVEL_TRIGGERED); // what spliceTo requires of both
        b.config().setEpollMode(EpollMode.LEVEL_TRIGGERED);
        upCounter.start();
        downCounter.start();
        c.spliceTo(b, Integer.MAX_VALUE).addListener(f -> ended(f, "client to server"));
        b.spliceTo(c, Integer.MAX_VALUE).addListener(f -> ended(f, "server to client"));
        scheduleIdleCheck(client, listener.clientIdleTimeout().toMillis());
        client.config().setAutoRead(true);
        return true;
    }

    /** A splice with no length limit only ends by failing: a closed channel (the session is ending) or an I/O error. */
    private void ended(Future<?> f, String direction) {
        if (session.ended() || f.isSuccess()) return;
        session.end(null, "splice " + direction + " failed: " + f.cause());
    }

    /**
     * A spliced source saw its peer's FIN. Netty's splice stops at the first FIN it notices, even when
     * more bytes wait in the socket (it splices at most a pipe's worth per turn, 64 kB): without this
     * they would be lost. After a FIN every byte before it is in the socket's receive queue, which
     * stays readable after Netty's shutdown of the input, so they are read here and queued to the
     * other side after the spliced ones (one outbound buffer, in order).
     *
     * @return false when reading failed and the session ended
     */
    boolean drainAfterFin(Channel from, Channel to, IntConsumer counted) {
        FileDescriptor fd = ((EpollSocketChannel) from).fd();
        // bounded: a receive buffer holds a few MB at most, 64 kB per turn
        for (int i = 0; i < 1024; i++) {
            ByteBuf buf = to.alloc().directBuffer(DRAIN_CHUNK);
            int n;
            try {
                ByteBuffer nio = buf.internalNioBuffer(0, DRAIN_CHUNK);
                n = fd.read(nio, nio.position(), nio.limit());
            } catch (IOException e) {
                buf.release();
                session.end(null, "reading the rest after a FIN failed: " + e);
                return false;
            }
            if (n <= 0) { // -1: the FIN itself; 0: nothing more
                buf.release();
                break;
            }
            buf.writerIndex(n);
            counted.accept(n);
            to.write(buf, to.voidPromise());
        }
        to.flush();
        return true;
    }

    private void scheduleIdleCheck(Channel client, long inMillis) {
        idleCheck = client.eventLoop().schedule(() -> checkIdle(client), Math.max(1, inMillis), TimeUnit.MILLISECONDS);
    }

    /** The spliced session's idle timeout, from the kernel's clocks of the client socket (every byte either way passes it). */
    private void checkIdle(Channel client) {
        idleCheck = null;
        if (session.ended()) return;
        long timeout = listener.clientIdleTimeout().toMillis();
        EpollTcpInfo info = ((EpollSocketChannel) client).tcpInfo();
        long quiet = Math.min(info.lastDataRecv(), info.lastDataSent());
        if (quiet >= timeout) session.end(Outcome.CLIENT_FAULT, "idle for " + timeout + " ms");
        else scheduleIdleCheck(client, timeout - quiet);
    }

    /** The session ended: no more idle checks. */
    void cancel() {
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
    }
}
