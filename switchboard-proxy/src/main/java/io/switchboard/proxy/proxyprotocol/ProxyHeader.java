package io.switchboard.proxy.proxyprotocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.NetUtil;
import io.switchboard.config.ProxyProtocolVersion;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY protocol header a back-end connection starts with ({@code send-proxy}): v1's text line or
 * v2's binary header with the {@code PROXY} command over TCP, carrying the client's address and the
 * address the client connected to. When the two differ in family, the IPv4 one is written as its
 * IPv4-mapped IPv6 address (both versions describe one family per header). A client that is not an
 * IP address (a test's in-memory channel) is sent as v1 {@code UNKNOWN} or v2 {@code AF_UNSPEC}, which
 * tells the receiver to use the connection's own addresses.
 *
 * <p>Stateless; the handler from {@link #sender} belongs to one back-end channel.
 */
public final class ProxyHeader {
    private static final byte V2_PROXY_COMMAND = 0x21; // version 2, command PROXY
    private static final byte TCP4 = 0x11;
    private static final byte TCP6 = 0x21;
    private static final byte UNSPEC = 0x00;

    private ProxyHeader() {}

    /** The header for a connection from {@code source} to {@code destination}. */
    public static ByteBuf encode(ByteBufAllocator alloc, ProxyProtocolVersion version, SocketAddress source, SocketAddress destination) {
        InetSocketAddress src = source instanceof InetSocketAddress s && s.getAddress() != null ? s : null;
        InetSocketAddress dst = destination instanceof InetSocketAddress d && d.getAddress() != null ? d : null;
        byte[] s = src == null || dst == null ? null : src.getAddress().getAddress();
        byte[] d = s == null ? null : dst.getAddress().getAddress();
        if (s != null && s.length != d.length) {
            s = mapped(s);
            d = mapped(d);
        }
        return version == ProxyProtocolVersion.V1 ? v1(alloc, s, d, src, dst) : v2(alloc, s, d, src, dst);
    }

    /**
     * A handler to put first in a channel the proxy opens on its own behalf (a health probe): the header
     * names the channel's own addresses, from its local address to the back end's, and goes out at
     * {@code channelActive}; the handlers behind it see {@code channelActive} once it has been written
     * (a probe that only connects closes at once then, and with io_uring a close issued while the
     * header's write is still in the ring left the back end without its FIN until the loop shut
     * down), or the write's failure as an exception. Then the handler leaves. A back end that requires
     * the header (NGINX's {@code listen ... proxy_protocol}) refuses a probe without it.
     */
    public static ChannelHandler ownSender(ProxyProtocolVersion version) {
        return new ChannelDuplexHandler() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ChannelHandler self = this;
                ctx.writeAndFlush(encode(ctx.alloc(), version, ctx.channel().localAddress(), ctx.channel().remoteAddress()))
                        .addListener(f -> {
                            if (f.isSuccess()) ctx.fireChannelActive();
                            else ctx.fireExceptionCaught(f.cause());
                            if (ctx.pipeline().context(self) != null) ctx.pipeline().remove(self);
                        });
            }
        };
    }

    /**
     * A handler to put first in a new back-end channel's pipeline: the header goes out before anything
     * else, at {@code channelActive} or with the first write, whichever comes first (Netty completes
     * the connect future, whose listeners may already write a request, before it fires
     * {@code channelActive}); then the handler leaves. A TLS handler after it handshakes behind the header.
     */
    public static ChannelHandler sender(ProxyProtocolVersion version, SocketAddress source, SocketAddress destination) {
        return new ChannelDuplexHandler() {
            private boolean sent;

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                send(ctx);
                ctx.flush();
                ctx.fireChannelActive();
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                send(ctx);
                ctx.write(msg, promise);
            }

            private void send(ChannelHandlerContext ctx) {
                if (sent) return;
                sent = true;
                ctx.write(encode(ctx.alloc(), version, source, destination), ctx.voidPromise());
                ctx.pipeline().remove(this);
            }
        };
    }

    private static ByteBuf v1(ByteBufAllocator alloc, byte[] s, byte[] d, InetSocketAddress src, InetSocketAddress dst) {
        String line = s == null ? "PROXY UNKNOWN\r\n"
                : "PROXY " + (s.length == 4 ? "TCP4 " : "TCP6 ") + text(s) + " " + text(d) + " " + src.getPort() + " " + dst.getPort() + "\r\n";
        byte[] b = line.getBytes(StandardCharsets.US_ASCII);
        return alloc.ioBuffer(b.length).writeBytes(b);
    }

    private static ByteBuf v2(ByteBufAllocator alloc, byte[] s, byte[] d, InetSocketAddress src, InetSocketAddress dst) {
        int addrLen = s == null ? 0 : 2 * s.length + 4;
        ByteBuf out = alloc.ioBuffer(16 + addrLen);
        out.writeBytes(ProxyProtocolAcceptor.V2_SIGNATURE).writeByte(V2_PROXY_COMMAND);
        out.writeByte(s == null ? UNSPEC : s.length == 4 ? TCP4 : TCP6).writeShort(addrLen);
        if (s != null) out.writeBytes(s).writeBytes(d).writeShort(src.getPort()).writeShort(dst.getPort());
        return out;
    }

    private static byte[] mapped(byte[] a) {
        if (a.length == 16) return a;
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        System.arraycopy(a, 0, m, 12, 4);
        return m;
    }

    private static String text(byte[] a) {
        try {
            InetAddress ia = InetAddress.getByAddress(a); // a literal's bytes: no lookup
            // An IPv4-mapped address must stay 16 bytes long in a TCP6 line; the JDK would print it as IPv4.
            if (ia instanceof Inet4Address && a.length == 16) return "::ffff:" + ia.getHostAddress();
            return NetUtil.toAddressString(ia);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
