package io.switchboard.proxy.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.config.DnsConfig;
import io.switchboard.dns.Authority;
import io.switchboard.dns.DnsStats;
import io.switchboard.dns.Responder;
import io.switchboard.dns.ResponseRateLimiter;
import io.switchboard.proxy.Transport;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authoritative DNS server on the network: UDP and TCP (RFC 7766 length framing) on one port,
 * answering from an {@link Authority}. With a native transport there is one UDP socket per event
 * loop on the same port (SO_REUSEPORT), so every loop answers datagrams; with NIO one socket. Each
 * event loop has its own {@link Responder} and buffers, shared by its UDP socket and the TCP
 * connections it serves, so a query allocates nothing but Netty's buffers. TCP connections are
 * bounded ({@link #MAX_TCP_CONNECTIONS}) and closed after {@link #TCP_IDLE_SECONDS} without a query.
 *
 * <p>Threading: {@link #start} and {@link #close} on the controlling thread; queries on the loops.
 */
public final class DnsListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsListener.class);
    public static final int MAX_TCP_CONNECTIONS = 512;
    public static final int TCP_IDLE_SECONDS = 10;
    private static final int RRL_SLOTS = 1 << 16;
    /** Binds tried with {@code listen: ...:0} before giving up (see {@link #start}). */
    private static final int PORT_ZERO_ATTEMPTS = 5;

    private final DnsConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    private final Map<EventExecutor, Worker> workers = new IdentityHashMap<>();
    private final List<Channel> channels = new ArrayList<>();
    private final AtomicInteger tcpConnections = new AtomicInteger();
    /** Open TCP connections, closed with the listener (a restart on reload must not leave them behind). */
    private final ChannelGroup tcpClients = new DefaultChannelGroup("dns-tcp", GlobalEventExecutor.INSTANCE);
    private volatile InetSocketAddress localAddress;

    /** One event loop's responder and buffers: touched only by that loop's thread. */
    private static final class Worker {
        final Responder responder;
        final byte[] in = new byte[Responder.MAX_MESSAGE];
        final byte[] out = new byte[Responder.MAX_MESSAGE];

        Worker(Responder responder) {
            this.responder = responder;
        }
    }

    /** @param stats counters shared by every loop (may be null) */
    public DnsListener(DnsConfig config, Authority authority, DnsStats stats, Transport transport, EventLoopGroup group) {
        this(config, authority, stats, transport, group, System::nanoTime);
    }

    /** @param nanoClock the rate limiter's clock (tests stop it) */
    DnsListener(DnsConfig config, Authority authority, DnsStats stats, Transport transport, EventLoopGroup group,
                LongSupplier nanoClock) {
        this.config = config;
        this.transport = transport;
        this.group = group;
        ResponseRateLimiter rrl = config.rateLimit() == null ? null
                : new ResponseRateLimiter(config.rateLimit().responsesPerSecond(), config.rateLimit().slip(), RRL_SLOTS,
                        nanoClock);
        for (EventExecutor e : group) {
            workers.put(e, new Worker(new Responder(authority, rrl, config.maxUdpPayload(), stats)));
        }
    }

    public DnsConfig config() { return config; }

    /** Where it listens (the real port when the config said 0); null before {@link #start}. */
    public InetSocketAddress localAddress() { return localAddress; }

    /** UDP sockets bound: one per event loop with a native transport, else one. */
    public int udpSockets() {
        return channels.isEmpty() ? 0 : channels.size() - 1;
    }

    /** @throws IOException when the UDP or TCP port cannot be bound; nothing stays open then */
    public void start() throws IOException {
        // Port 0: the kernel picks a free UDP port, and the TCP port of the same number may be taken
        // (another socket's local port: the two are separate spaces). Then pick again, a few times.
        int attempts = config.port() == 0 ? PORT_ZERO_ATTEMPTS : 1;
        for (int attempt = 1; ; attempt++) {
            try {
                bind();
                break;
            } catch (Exception e) {
                close();
                if (attempt < attempts) continue;
                throw new IOException("dns: cannot listen on " + config.host() + ":" + config.port() + " (UDP and TCP): "
                        + e.getMessage(), e);
            }
        }
        log.info("dns: answering {} zone{} on UDP and TCP {}{}", config.zones().size(), config.zones().size() == 1 ? "" : "s",
                localAddress, config.rateLimit() == null ? "" : " (response rate limit " + config.rateLimit().responsesPerSecond()
                        + "/s, slip " + config.rateLimit().slip() + ")");
    }

    private void bind() throws Exception {
        int port = config.port();
        if (transport.reusePort()) {
            // With SO_REUSEPORT another process could silently share the port: a plain socket bound
            // and closed first makes a taken port fail the start, as it does for the HTTP listeners.
            if (port != 0) {
                try (DatagramSocket probe = new DatagramSocket(null)) {
                    probe.bind(new InetSocketAddress(config.host(), port));
                }
            }
            for (EventExecutor e : group) {
                Channel ch = udp((EventLoop) e).option(UnixChannelOption.SO_REUSEPORT, true)
                        .bind(config.host(), port).sync().channel();
                channels.add(ch);
                port = ((InetSocketAddress) ch.localAddress()).getPort(); // port 0: the rest join the first
            }
        } else {
            Channel ch = udp(group.next()).bind(config.host(), port).sync().channel();
            channels.add(ch);
            port = ((InetSocketAddress) ch.localAddress()).getPort();
        }
        Channel tcp = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tcpConnections.incrementAndGet() > MAX_TCP_CONNECTIONS) {
                            tcpConnections.decrementAndGet();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> tcpConnections.decrementAndGet());
                        tcpClients.add(ch);
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, TCP_IDLE_SECONDS, TimeUnit.SECONDS),
                                new LengthFieldBasedFrameDecoder(Responder.MAX_MESSAGE, 0, 2, 0, 2),
                                new LengthFieldPrepender(2),
                                new TcpQueries(workers.get(ch.eventLoop())));
                    }
                })
                .bind(config.host(), port).sync().channel();
        channels.add(tcp);
        localAddress = (InetSocketAddress) tcp.localAddress();
    }

    private Bootstrap udp(EventLoop loop) {
        return new Bootstrap().group(loop).channel(transport.datagramChannel()).handler(new UdpQueries(workers.get(loop)));
    }

    @Override
    public void close() {
        for (Channel ch : channels) ch.close().syncUninterruptibly();
        channels.clear();
        tcpClients.close().awaitUninterruptibly();
    }

    /** One UDP socket's queries; responses are flushed once per read batch. */
    private static final class UdpQueries extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Worker w;

        UdpQueries(Worker w) {
            this.w = w;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf q = packet.content();
            int len = Math.min(q.readableBytes(), w.in.length);
            q.getBytes(q.readerIndex(), w.in, 0, len);
            InetSocketAddress sender = packet.sender();
            int n = w.responder.respond(w.in, len, w.out, ResponseRateLimiter.networkKey(sender.getAddress()), false);
            if (n < 0) return;
            ctx.write(new DatagramPacket(ctx.alloc().ioBuffer(n).writeBytes(w.out, 0, n), sender), ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("dns: UDP error: {}", cause.toString()); // an ICMP-refused send, say: the socket stays
        }
    }

    /** One TCP connection's queries (length prefix already removed by the frame decoder). */
    private static final class TcpQueries extends SimpleChannelInboundHandler<ByteBuf> {
        private final Worker w;

        TcpQueries(Worker w) {
            this.w = w;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf q) {
            int len = q.readableBytes();
            q.getBytes(q.readerIndex(), w.in, 0, len);
            InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
            int n = w.responder.respond(w.in, len, w.out, ResponseRateLimiter.networkKey(peer.getAddress()), true);
            if (n < 0) return;
            ctx.write(ctx.alloc().ioBuffer(n).writeBytes(w.out, 0, n));
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) ctx.close();
            else ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("dns: TCP connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
