package io.switchboard.proxy.proxyprotocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.config.ProxyProtocolConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A listener's {@code proxy-protocol}: installs, first in each new client pipeline, what reads or
 * refuses a PROXY protocol header (v1 or v2, told apart by their signatures; parsed by Netty's {@link
 * HAProxyMessageDecoder}, which is strict about lengths, address families and the v1 line's 107-byte
 * limit).
 *
 * <ul>
 *   <li>A peer in a trusted network must open with a header: nothing after this handler sees
 *       {@code channelActive} or a byte until it has been read, so the connection limits, TLS and HTTP
 *       all see the carried client address ({@link ClientAddress}). A v1 {@code TCP4}/{@code TCP6} or
 *       v2 {@code PROXY} header over TCP carries the client; {@code UNKNOWN}, {@code LOCAL} (the proxy's
 *       own health checks) and other families keep the peer's address.
 *   <li>Any other peer must not send one (it would be a forged client address): its first bytes are
 *       compared with both signatures, and on a mismatch the handler leaves and passes them on.
 * </ul>
 * A refused connection (header from an untrusted peer, no header or a malformed one from a trusted
 * peer, no complete header within the listener's header timeout) is closed without an answer (its
 * bytes are not HTTP) and reported to {@link Refusals} by reason ({@link #REFUSALS}).
 *
 * <p>One instance per listener, shared by its connections; the handlers it installs are per
 * connection and run on the channel's event loop.
 */
public final class ProxyProtocolAcceptor {
    /** Why connections are refused, as counted in the listener's metrics. */
    public static final List<String> REFUSALS = List.of("untrusted", "missing", "malformed", "timeout");

    static final byte[] V1_SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** What the first bytes of a connection are: {@link #classify}. */
    enum Start { HEADER, NOT_HEADER, UNDECIDED }

    private final ProxyProtocolConfig config;
    private final long timeoutNanos;
    private final Refusals refused;

    /** Told of every refused connection: the listener counts it and logs it (rate-limited). */
    public interface Refusals {
        /**
         * @param reason one of {@link #REFUSALS}
         * @param peer the peer's IP address as text
         * @param detail what was wrong, for people
         */
        void refused(String reason, String peer, String detail);
    }

    /**
     * @param headerTimeout how long a trusted peer has to send its complete header
     * @param refused told of each refused connection
     */
    public ProxyProtocolAcceptor(ProxyProtocolConfig config, Duration headerTimeout, Refusals refused) {
        this.config = config;
        this.timeoutNanos = headerTimeout.toNanos();
        this.refused = refused;
    }

    /**
     * Adds this listener's handlers for a new connection at the front of its pipeline; call first in
     * {@code initChannel}, before any other handler (TLS included: the header precedes the handshake).
     */
    public void install(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (config.trusts(addressBytes(ch.remoteAddress()))) {
            Decoder decoder = new Decoder();
            p.addFirst("proxy-protocol", new Trusted(decoder));
            p.addFirst("proxy-protocol-decoder", decoder);
        } else {
            p.addFirst("proxy-protocol", new Untrusted());
        }
    }

    /**
     * Whether {@code in}'s readable bytes begin a PROXY header, cannot, or are too few to tell.
     * Pure; does not move the reader index.
     */
    static Start classify(ByteBuf in) {
        boolean v1 = startsLike(in, V1_SIGNATURE);
        boolean v2 = startsLike(in, V2_SIGNATURE);
        if (!v1 && !v2) return Start.NOT_HEADER;
        int n = in.readableBytes();
        if ((v1 && n >= V1_SIGNATURE.length) || (v2 && n >= V2_SIGNATURE.length)) return Start.HEADER;
        return Start.UNDECIDED;
    }

    /** Whether the readable bytes and {@code signature} agree on their common length. */
    private static boolean startsLike(ByteBuf in, byte[] signature) {
        int n = Math.min(in.readableBytes(), signature.length);
        int at = in.readerIndex();
        for (int i = 0; i < n; i++) if (in.getByte(at + i) != signature[i]) return false;
        return true;
    }

    /**
     * The client a header carries: its source for a {@code PROXY} command over TCP/IPv4 or TCP/IPv6;
     * null (keep the peer's address) for {@code LOCAL}, {@code UNKNOWN} and other families.
     */
    static InetSocketAddress sourceOf(HAProxyMessage m) {
        if (m.command() != HAProxyCommand.PROXY || m.sourceAddress() == null) return null;
        return switch (m.proxiedProtocol()) {
            case TCP4, TCP6 -> {
                byte[] a = NetUtil.createByteArrayFromIpAddressString(m.sourceAddress());
                if (a == null) yield null; // the decoder checked the syntax; never a host name to look up
                try {
                    yield new InetSocketAddress(InetAddress.getByAddress(a), m.sourcePort());
                } catch (UnknownHostException e) {
                    yield null;
                }
            }
            default -> null;
        };
    }

    private void refuse(ChannelHandlerContext ctx, String reason, String detail) {
        refused.refused(reason, text(ctx.channel().remoteAddress()), detail);
        ctx.close();
    }

    private static byte[] addressBytes(SocketAddress a) {
        return a instanceof InetSocketAddress isa && isa.getAddress() != null ? isa.getAddress().getAddress() : null;
    }

    private static String text(SocketAddress a) {
        return a instanceof InetSocketAddress isa && isa.getAddress() != null ? isa.getAddress().getHostAddress() : String.valueOf(a);
    }

    /** Netty's decoder, noting whether the connection began like a header (malformed) or not (missing). */
    static final class Decoder extends HAProxyMessageDecoder {
        private Start start = Start.UNDECIDED;
        private ByteBuf seen; // the first bytes until they decide, at most a v2 signature's length

        Decoder() {
            super(true); // fail fast: a header that cannot be valid is refused at its first wrong byte
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (start == Start.UNDECIDED && msg instanceof ByteBuf in) {
                if (seen == null) seen = ctx.alloc().heapBuffer(V2_SIGNATURE.length);
                seen.writeBytes(in, in.readerIndex(), Math.min(in.readableBytes(), seen.writableBytes()));
                start = classify(seen);
                if (start != Start.UNDECIDED || !seen.isWritable()) {
                    if (start == Start.UNDECIDED) start = Start.HEADER;
                    seen.release();
                    seen = null;
                }
            }
            super.channelRead(ctx, msg);
        }

        @Override
        protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
            if (seen != null) {
                seen.release();
                seen = null;
            }
            super.handlerRemoved0(ctx);
        }

        /** Whether the bytes read so far began like a PROXY header. */
        boolean beganLikeHeader() {
            return start != Start.NOT_HEADER;
        }
    }

    /**
     * After the decoder of a trusted peer's connection: holds back {@code channelActive} until the
     * header is read, records the carried address, then lets the connection start and leaves.
     */
    private final class Trusted extends ChannelInboundHandlerAdapter {
        private final Decoder decoder;
        private ScheduledFuture<?> timeout;
        private boolean done;

        Trusted(Decoder decoder) {
            this.decoder = decoder;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // held: fired once the header is read
            timeout = ctx.executor().schedule(() -> {
                if (!done && ctx.channel().isActive()) {
                    done = true;
                    refuse(ctx, "timeout", "no complete PROXY protocol header within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
                }
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (done || !(msg instanceof HAProxyMessage m)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            done = true;
            cancelTimeout();
            InetSocketAddress source;
            try {
                source = sourceOf(m);
            } finally {
                m.release();
            }
            if (source != null) ClientAddress.set(ctx.channel(), source);
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (done) {
                ctx.close();
                return;
            }
            done = true;
            cancelTimeout();
            if (cause instanceof DecoderException) {
                if (decoder.beganLikeHeader()) {
                    refuse(ctx, "malformed", "malformed PROXY protocol header: " + cause.getMessage());
                } else {
                    refuse(ctx, "missing", "a trusted peer must open with a PROXY protocol header, and this one did not");
                }
            } else {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // Still here: the handlers after this one never saw the connection start, so they are not told it ended.
            cancelTimeout();
        }

        private void cancelTimeout() {
            if (timeout != null) timeout.cancel(false);
        }
    }

    /** The first handler of an untrusted peer's connection: refuses a header, else passes everything on and leaves. */
    private final class Untrusted extends ChannelInboundHandlerAdapter {
        private ByteBuf held;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf in)) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (held == null) {
                held = in;
            } else {
                held = ctx.alloc().compositeBuffer(2).addComponents(true, held, in);
            }
            switch (classify(held)) {
                case UNDECIDED -> { /* wait for more bytes */ }
                case HEADER -> {
                    held.release();
                    held = null;
                    refuse(ctx, "untrusted", "PROXY protocol header from a peer outside proxy-protocol.trusted");
                }
                case NOT_HEADER -> {
                    ByteBuf out = held;
                    held = null;
                    ctx.pipeline().remove(this);
                    ctx.fireChannelRead(out);
                }
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (held != null) {
                held.release();
                held = null;
            }
        }
    }
}
