package io.switchboard.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;

/**
 * The socket transport: native io_uring where the kernel allows it (submissions batched per loop
 * turn: about 15 % less CPU per keep-alive request than epoll in bench/run), else native epoll
 * (SO_REUSEPORT, edge-triggered), else NIO. Chosen once at start-up; every channel of the process
 * uses the same one so that a back-end channel can be registered on its front-end channel's event loop.
 *
 * @param datagramChannel the UDP channel of the same transport (DNS lookups run on the event loops)
 * @param deferAccept TCP_DEFER_ACCEPT for listeners; null for NIO
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerChannel> serverChannel, Class<? extends Channel> channel,
                        Class<? extends DatagramChannel> datagramChannel, ChannelOption<Integer> deferAccept) {

    /**
     * Netty's io_uring multishot accept keeps accepting while the server channel's auto-read is off: at
     * the open-file limit every accept fails and is retried at once, about a million times a second,
     * and {@link AcceptFailures}' pause cannot stop it. One-shot accepts honour the pause. Set before
     * Netty's IoUring class reads it (its first use is in {@link #select}); an operator's own
     * {@code -Dio.netty.iouring.acceptMultiShotEnabled} wins.
     */
    static final String ACCEPT_MULTISHOT = "io.netty.iouring.acceptMultiShotEnabled";

    static {
        if (System.getProperty(ACCEPT_MULTISHOT) == null) System.setProperty(ACCEPT_MULTISHOT, "false");
    }

    /**
     * Whether listeners bind one socket per event loop with SO_REUSEPORT (the native transports; NIO
     * has neither that nor TCP_DEFER_ACCEPT, {@link #deferAccept} being null for it).
     */
    public boolean reusePort() {
        return deferAccept != null;
    }

    /** @param preference "auto", "io_uring", "epoll" or "nio" */
    public static Transport select(String preference) {
        String p = preference == null ? "auto" : preference.toLowerCase(Locale.ROOT);
        switch (p) {
            case "nio":
                return nio();
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("transport 'epoll' requested but native epoll is unavailable: " + Epoll.unavailabilityCause());
                }
                return epoll();
            case "io_uring":
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("transport 'io_uring' requested but native io_uring is unavailable: " + IoUring.unavailabilityCause());
                }
                return ioUring();
            case "auto":
                return IoUring.isAvailable() ? ioUring() : Epoll.isAvailable() ? epoll() : nio();
            default:
                throw new IllegalArgumentException("unknown transport '" + preference + "' (allowed: auto, epoll, io_uring, nio)");
        }
    }

    public static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class,
                EpollDatagramChannel.class, EpollChannelOption.TCP_DEFER_ACCEPT);
    }

    public static Transport ioUring() {
        return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class, IoUringSocketChannel.class,
                IoUringDatagramChannel.class, IoUringChannelOption.TCP_DEFER_ACCEPT);
    }

    public static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class, null);
    }

    /** @param threads 0 means one per available processor */
    public EventLoopGroup newGroup(int threads, ThreadFactory factory) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(n, factory, ioHandlerFactory);
    }
}
