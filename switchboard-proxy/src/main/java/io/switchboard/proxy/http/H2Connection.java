package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.config.Http2Config;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.ListenerCounters;
import io.switchboard.proxy.ProxyState;
import io.switchboard.proxy.guard.AccessControl;
import io.switchboard.proxy.guard.RateLimiter;
import io.switchboard.proxy.guard.RequestGuard;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's HTTP/2 connection: installs Netty's frame codec (HPACK, flow control, stream states and
 * its own limits) and a child channel per stream, whose pipeline is {@link H2StreamBridge}, {@link
 * Http1Decoder} and a {@link FrontendHandler} in stream mode, so that each stream is one {@link
 * HttpExchange}. This handler sits between the codec and the streams and keeps what belongs to the
 * connection: the listener's connection count, the idle timeout when no stream is open, and the
 * limits on frames that cost us work without being requests.
 *
 * <p>Protections (RFC 9113 section 10.5; each has a test that sends the raw frames):
 * <ul>
 *   <li>rapid reset (CVE-2023-44487): more than {@code max-resets} streams reset by the client in the
 *       window: GOAWAY(ENHANCE_YOUR_CALM) (Netty's {@code decoderEnforceMaxRstFramesPerWindow});
 *   <li>SETTINGS and PING floods, and empty DATA or HEADERS frames: more than {@code
 *       max-control-frames} in the window: GOAWAY(ENHANCE_YOUR_CALM) here; the acknowledgements a
 *       client does not read are bounded by Netty's queued control-frame limit;
 *   <li>CONTINUATION floods and HPACK bombs: a header block is cut off at the listener's {@code
 *       max-header-size} as it is decoded, however it is split or compressed, and a block in more
 *       than {@value #MAX_SMALL_CONTINUATION_FRAMES} small CONTINUATION frames is GOAWAY(ENHANCE_YOUR_CALM);
 *   <li>too many streams: SETTINGS_MAX_CONCURRENT_STREAMS, beyond which streams are refused.
 * </ul>
 *
 * <p>Threading: the connection's event loop; its streams run on the same loop.
 */
final class H2Connection extends ChannelDuplexHandler implements ConnectionTimers.Timed {
    private static final Logger log = LoggerFactory.getLogger(H2Connection.class);
    /**
     * Netty's bound on acknowledgements queued for a client that does not read them: 1000, as Envoy's
     * {@code max_outbound_control_frames}; Netty's default, 10,000, let one such client fill the 128 MB heap
     * of the proxy test run (paranoid leak tracking keeps a record per queued buffer).
     */
    static final int MAX_QUEUED_CONTROL_FRAMES = 1_000;
    /**
     * CONTINUATION frames too small to be honest (Netty: under a fair share of the header size) that a
     * header block may have before GOAWAY(ENHANCE_YOUR_CALM): the empty-CONTINUATION flood costs no
     * header bytes, so the size limit alone would never stop it. Netty's default, stated here.
     */
    static final int MAX_SMALL_CONTINUATION_FRAMES = 16;

    private final ListenerConfig listener;
    private final Http2Config config;
    private final ProxyState state;
    private final ListenerCounters counters;
    private final Http2FrameCodec codec;
    private ChannelHandlerContext ctx;
    private ConnectionTimers timers;
    private boolean counted;
    private boolean closing;
    private int timerSlot = -1;
    /** When the connection last had an open stream (or opened): the idle timeout counts from it. */
    private long idleSince;
    private long windowStart;
    private int controlFrames;

    private H2Connection(ProxyState state, ListenerConfig listener, Http2FrameCodec codec) {
        this.state = state;
        this.listener = listener;
        this.config = listener.http2();
        this.counters = state.listenerCounters().of(listener.name());
        this.codec = codec;
    }

    /**
     * Adds HTTP/2 to {@code p} (after what is there: the connection limit, TLS). The caller fires
     * {@code channelActive} through the new handlers if the channel is already active.
     */
    static void install(ChannelPipeline p, ProxyState state, ListenerConfig listener) {
        Http2Config c = listener.http2();
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(c.maxConcurrentStreams())
                .initialWindowSize(c.initialWindowSize())
                .maxHeaderListSize(listener.maxHeaderSize()) // a server may not send ENABLE_PUSH
                .connectProtocolEnabled(true); // RFC 8441: WebSocket over HTTP/2 (see H2ToH1)
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .validateHeaders(true)
                .autoAckPingFrame(true)
                .autoAckSettingsFrame(true)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxRstFramesPerWindow(c.maxResets(), (int) c.resetWindow().toSeconds())
                .decoderEnforceMaxConsecutiveEmptyDataFrames(2)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES)
                .gracefulShutdownTimeoutMillis(listener.clientIdleTimeout().toMillis())
                .build();
        HeadParser.Limits limits = new HeadParser.Limits(listener.maxInitialLineLength(), listener.maxHeaderSize(), listener.maxHeaders());
        p.addLast("h2", codec);
        p.addLast("h2-connection", new H2Connection(state, listener, codec));
        p.addLast("h2-streams", new Http2MultiplexHandler(new Streams(state, listener, limits)));
    }

    /**
     * A plain-text HTTP/1 connection opened with the HTTP/2 preface (h2c with prior knowledge): HTTP/2
     * is installed, its handlers see the connection become active and get what was read, and the HTTP/1
     * handlers leave ({@code frontend}'s context, and the decoder's when it is a handler of its own).
     *
     * @param decoderCtx the decoder's context (the new handlers are fed through it)
     */
    static void takeOver(ChannelHandlerContext frontend, ChannelHandlerContext decoderCtx, ByteBuf preface,
            ProxyState state, ListenerConfig listener) {
        ChannelPipeline p = frontend.pipeline();
        install(p, state, listener);
        if (decoderCtx == frontend) {
            // The decoder is the front end's own: the HTTP/2 handlers follow it.
            frontend.fireChannelActive();
            frontend.fireChannelRead(preface);
            p.remove(frontend.handler());
            return;
        }
        p.remove(frontend.handler());
        decoderCtx.fireChannelActive();
        decoderCtx.fireChannelRead(preface);
        p.remove(decoderCtx.handler());
    }

    /**
     * Makes each stream's pipeline. One per connection: what is the connection's (its guards, its
     * listener's counters) is made at its first stream and shared by the rest.
     */
    private static final class Streams extends ChannelInitializer<Http2StreamChannel> {
        private final ProxyState state;
        private final ListenerConfig listener;
        private final HeadParser.Limits limits;
        private final ListenerCounters counters;
        private RequestGuard guard;
        private boolean guardMade;

        Streams(ProxyState state, ListenerConfig listener, HeadParser.Limits limits) {
            this.state = state;
            this.listener = listener;
            this.limits = limits;
            this.counters = state.listenerCounters().of(listener.name());
        }

        @Override
        protected void initChannel(Http2StreamChannel ch) {
            if (!guardMade) {
                guardMade = true;
                Channel parent = ch.parent();
                guard = RequestGuard.of(AccessControl.of(parent, listener), RateLimiter.of(parent, listener));
            }
            FrontendHandler frontend = new FrontendHandler(state, listener, guard, counters);
            ch.pipeline().addLast("h2-bridge", new H2StreamBridge());
            ch.pipeline().addLast("decoder", Http1Decoder.forRequests(limits, frontend));
            ch.pipeline().addLast("proxy", frontend);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!counted) {
            counted = true;
            counters.connectionOpened();
            timers = state.connections(ctx.channel().eventLoop()).timers();
            timers.register(this);
            idleSince = timers.now();
            windowStart = idleSince;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2PingFrame || msg instanceof Http2SettingsFrame
                || (msg instanceof Http2DataFrame d && d.content().readableBytes() == 0 && !d.isEndStream())
                || (msg instanceof Http2HeadersFrame h && h.headers().isEmpty() && !h.isEndStream())) {
            if (tooManyControlFrames()) {
                ReferenceCountUtil.release(msg);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private boolean tooManyControlFrames() {
        long now = timers.now();
        if (now - windowStart > config.resetWindow().toNanos()) {
            windowStart = now;
            controlFrames = 0;
        }
        if (++controlFrames <= config.maxControlFrames()) return false;
        if (!closing) {
            closing = true;
            log.info("client {}: more than {} PING, SETTINGS or empty frames in {} s, closing the HTTP/2 connection",
                    ctx.channel().remoteAddress(), config.maxControlFrames(), config.resetWindow().toSeconds());
            goAway(Http2Error.ENHANCE_YOUR_CALM);
        }
        return true;
    }

    private void goAway(Http2Error error) {
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(error)).addListener(f -> ctx.close());
    }

    // ---------------------------------------------------------------- timers

    @Override
    public void checkDeadline(long now) {
        if (closing) return;
        if (state.draining()) {
            closeGracefully();
            return;
        }
        if (codec.connection().numActiveStreams() > 0) {
            idleSince = now;
            return;
        }
        if (now - idleSince > listener.clientIdleTimeout().toNanos()) {
            closeGracefully();
        }
    }

    /** GOAWAY(NO_ERROR), then the close once the open streams are done (graceful shutdown, idle). */
    void closeGracefully() {
        if (closing) return;
        closing = true;
        ctx.channel().close(); // Netty's codec sends GOAWAY and waits for the active streams
    }

    @Override
    public void timerFailed(RuntimeException e) {
        closing = true;
        ctx.close();
    }

    @Override
    public int timerSlot() {
        return timerSlot;
    }

    @Override
    public void timerSlot(int slot) {
        timerSlot = slot;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (timers != null) timers.unregister(this);
        if (counted) {
            counted = false;
            counters.connectionClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The codec answers protocol errors itself (RST_STREAM, GOAWAY with the error) and tells us after
        // or before it does: closing here would send GOAWAY(NO_ERROR) first and end the other streams.
        if (cause instanceof Http2FrameStreamException) {
            ctx.fireExceptionCaught(cause); // to the stream's channel, through the multiplexer
            return;
        }
        if (cause instanceof Http2Exception) {
            log.debug("HTTP/2 connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
            return;
        }
        // What reaches here is I/O or a bug.
        if (!(cause instanceof IOException)) {
            log.warn("HTTP/2 connection {}: unexpected error, closing: {}", ctx.channel().remoteAddress(), cause.toString(), cause);
        }
        ctx.close();
    }
}
