package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 8441 in the two translators: the extended CONNECT as an HTTP/1.1 handshake, the 101 as a 200 and a tunnel. */
class H2WebSocketTranslationTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final HeadParser.Limits LIMITS = new HeadParser.Limits(8192, 16384, 100);

    private static Http2Headers connect(String protocol) {
        Http2Headers h = new DefaultHttp2Headers().method("CONNECT").scheme("https").path("/chat?room=1").authority("example.org")
                .set("sec-websocket-version", "13").set("sec-websocket-protocol", "chat").set("sec-websocket-key", "client's own");
        h.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), protocol);
        return h;
    }

    private static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    @Test
    void anExtendedConnectBecomesAWebSocketHandshakeWithAFreshKeyAndItsDataPassRaw() throws Exception {
        H2ToH1 in = H2ToH1.requests();
        String head = text(in.headers(ALLOC, connect("websocket"), false));
        assertThat(in.webSocket()).isTrue();
        assertThat(head).startsWith("GET /chat?room=1 HTTP/1.1\r\nhost: example.org\r\n").endsWith("\r\n\r\n")
                .contains("sec-websocket-version: 13\r\n", "sec-websocket-protocol: chat\r\n",
                        "connection: upgrade\r\nupgrade: websocket\r\n")
                .doesNotContain("client's own", "content-length", "transfer-encoding");
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        Head h = HeadParser.parse(bytes, bytes.length, true, LIMITS);
        assertThat(h.failed()).as(String.valueOf(h.failure)).isFalse();
        assertThat(h.webSocketUpgrade()).as("what Http1Decoder holds the tunnel's bytes for").isTrue();
        assertThat(h.header("sec-websocket-key")).hasSize(24);

        ByteBuf frame = Unpooled.copiedBuffer("\u0081\u0085abcd", StandardCharsets.ISO_8859_1);
        assertThat(text(in.data(ALLOC, frame, false))).as("tunnel bytes, not a chunk").isEqualTo("\u0081\u0085abcd");
        assertThatThrownBy(() -> in.headers(ALLOC, new DefaultHttp2Headers().set("x", "y"), true))
                .isInstanceOf(H2ToH1.Malformed.class);
    }

    @Test
    void otherProtocolsAndPlainConnectAre501AndProtocolElsewhereIsMalformed() {
        assertThatThrownBy(() -> H2ToH1.requests().headers(ALLOC, connect("foo"), false))
                .isInstanceOfSatisfying(H2ToH1.Malformed.class, e -> assertThat(e.status).isEqualTo(501));
        assertThatThrownBy(() -> H2ToH1.requests().headers(ALLOC, new DefaultHttp2Headers().method("CONNECT").authority("a:443"), false))
                .isInstanceOfSatisfying(H2ToH1.Malformed.class, e -> assertThat(e.status).isEqualTo(501));
        Http2Headers get = connect("websocket").method("GET");
        assertThatThrownBy(() -> H2ToH1.requests().headers(ALLOC, get, false))
                .isInstanceOfSatisfying(H2ToH1.Malformed.class, e -> assertThat(e.status).isEqualTo(400));
        assertThatThrownBy(() -> H2ToH1.requests().headers(ALLOC, connect("websocket"), true))
                .as("an extended CONNECT that ends the stream").isInstanceOf(H2ToH1.Malformed.class);
    }

    @Test
    void the101BecomesA200WithoutTheAcceptAndWhatFollowsIsDataUntilTheClose() {
        H1ToH2 out = H1ToH2.responses();
        out.webSocket();
        List<Http2StreamFrame> frames = out.write(Unpooled.copiedBuffer("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n\u0081\u0002hi",
                StandardCharsets.ISO_8859_1));
        assertThat(frames).hasSize(2);
        Http2HeadersFrame head = (Http2HeadersFrame) frames.get(0);
        assertThat(head.isEndStream()).isFalse();
        assertThat(head.headers().status()).hasToString("200");
        assertThat(head.headers().get("sec-websocket-protocol")).hasToString("chat");
        assertThat(head.headers().contains("sec-websocket-accept")).isFalse();
        assertThat(head.headers().contains("upgrade") || head.headers().contains("connection")).isFalse();
        Http2DataFrame data = (Http2DataFrame) frames.get(1);
        assertThat(data.isEndStream()).isFalse();
        assertThat(ByteBufUtil.getBytes(data.content())).isEqualTo("\u0081\u0002hi".getBytes(StandardCharsets.ISO_8859_1));
        data.release();
        assertThat(out.tunnel()).isTrue();
        Http2DataFrame end = (Http2DataFrame) out.endAtClose();
        assertThat(end.isEndStream()).isTrue();
        assertThat(end.content().readableBytes()).isZero();
    }

    @Test
    void a101ToARequestThatAskedForNoWebSocketIsNotConverted() {
        H1ToH2 out = H1ToH2.responses();
        assertThatThrownBy(() -> out.write(Unpooled.copiedBuffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
                StandardCharsets.ISO_8859_1))).isInstanceOf(IllegalStateException.class);
    }
}
