package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.GuardConfig;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.Http2Config;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.proxy.ProxyState;
import io.switchboard.proxy.Transport;
import io.switchboard.registry.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A plain-text connection becomes HTTP/2 when its first bytes are the connection preface, however
 * they are split (a client may send them a byte at a time), and stays HTTP/1.1 otherwise, in an
 * EmbeddedChannel with the listener's real pipeline.
 */
class H2cPrefaceTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};

    private static EmbeddedChannel channel(Http2Config http2) {
        ListenerConfig l = new ListenerConfig("web", "127.0.0.1", 0, "app", Duration.ofSeconds(5), Duration.ofSeconds(60),
                256, 1024, 12, GuardConfig.NONE).withHttp2(http2);
        PoolConfig pool = new PoolConfig("app", "round-robin", 1.25, 2, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 8, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE, PassiveHealthConfig.DEFAULT, 64,
                List.of());
        SwitchboardConfig config = new SwitchboardConfig(null, List.of(l), Map.of("app", pool), 1, "nio", Duration.ofSeconds(1), "off");
        Pool empty = new Pool("app", Algorithms.byName("round-robin"), Pool.Settings.defaults());
        ProxyState state = new ProxyState(new ProxyState.Routing(config, Map.of("app", empty)), Transport.nio(), r -> { });
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new HttpFrontendInitializer(state, l, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
        ch.pipeline().fireChannelActive();
        return ch;
    }

    /** Everything the server wrote so far. */
    private static byte[] written(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        byte[] a = new byte[all.readableBytes()];
        all.readBytes(a);
        return a;
    }

    private static void send(EmbeddedChannel ch, byte[] bytes, int piece) {
        for (int i = 0; i < bytes.length && ch.isOpen(); i += piece) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(piece, bytes.length - i)));
        }
    }

    @Test
    void thePrefaceByteByByteOpensHttp2() {
        for (int piece : new int[] {1, 2, 3, 5, PREFACE.length}) {
            EmbeddedChannel ch = channel(Http2Config.DEFAULT);
            send(ch, PREFACE, piece);
            send(ch, EMPTY_SETTINGS, EMPTY_SETTINGS.length);
            byte[] out = written(ch);
            assertThat(out.length).as("pieces of %d", piece).isGreaterThanOrEqualTo(9);
            assertThat(out[3]).as("the server's first frame is SETTINGS (pieces of %d)", piece).isEqualTo((byte) 4);
            assertThat(ch.pipeline().get(FrontendHandler.class)).isNull();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void withHttp2OffThePrefaceIsABadRequest() {
        EmbeddedChannel ch = channel(Http2Config.DISABLED);
        send(ch, PREFACE, 1);
        assertThat(new String(written(ch), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 400");
        ch.finishAndReleaseAll();
    }

    @Test
    void aRequestStartingLikeThePrefaceStaysHttp1() {
        EmbeddedChannel ch = channel(Http2Config.DEFAULT);
        send(ch, "PR".getBytes(StandardCharsets.US_ASCII), 1);
        send(ch, "OPFIND / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 4);
        assertThat(ch.pipeline().get(FrontendHandler.class)).isNotNull();
        assertThat(new String(written(ch), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 503");
        ch.finishAndReleaseAll();
    }
}
