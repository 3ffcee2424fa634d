package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link H2ToH1} and {@link H1ToH2} on their own: HTTP/2 requests become the HTTP/1.1 bytes the
 * decoder parses (and the parse agrees), nothing that could split an HTTP/1.1 message gets through,
 * and the HTTP/1.1 responses we write become the right frames however the bytes are split.
 */
class H2ConversionTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static Http2Headers get(String path) {
        return raw().method("GET").scheme("https").path(path).authority("example.com");
    }

    /** Headers without Netty's own checks: what a hostile peer could send if the codec let it through. */
    private static Http2Headers raw() {
        return new DefaultHttp2Headers(false);
    }

    private static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------- requests, HTTP/2 to HTTP/1.1

    @Test
    void getWithoutBodyBecomesARequestLineWithHostAndNoFraming() throws Exception {
        H2ToH1 c = H2ToH1.requests();
        String h1 = text(c.headers(ALLOC, get("/a?b=c").add("accept", "*/*"), true));
        assertThat(h1).isEqualTo("GET /a?b=c HTTP/1.1\r\nhost: example.com\r\naccept: */*\r\n\r\n");
        assertThat(c.done()).isTrue();
        Head h = HeadParser.parse(h1.getBytes(StandardCharsets.ISO_8859_1), h1.length(), true, Http1CodecTest.LIMITS);
        assertThat(h.failed()).isFalse();
        assertThat(h.host()).isEqualTo("example.com");
        assertThat(h.uri()).isEqualTo("/a?b=c");
    }

    @Test
    void authorityWinsOverAHostFieldAndCookiesAreJoined() throws Exception {
        Http2Headers req = get("/").add("host", "evil.example").add("cookie", "a=1").add("x", "y").add("cookie", "b=2");
        String h1 = text(H2ToH1.requests().headers(ALLOC, req, true));
        assertThat(h1).contains("host: example.com\r\n").doesNotContain("evil");
        assertThat(h1).contains("cookie: a=1; b=2\r\n");
        assertThat(h1.indexOf("cookie:")).isEqualTo(h1.lastIndexOf("cookie:"));
    }

    @Test
    void bodyWithoutLengthIsChunkedAndTrailersFollowTheLastChunk() throws Exception {
        H2ToH1 c = H2ToH1.requests();
        Http2Headers post = new DefaultHttp2Headers().method("POST").scheme("http").path("/up").authority("a");
        String head = text(c.headers(ALLOC, post, false));
        assertThat(head).endsWith("transfer-encoding: chunked\r\n\r\n");
        assertThat(text(c.data(ALLOC, bytes("hello"), false))).isEqualTo("5\r\nhello\r\n");
        assertThat(text(c.headers(ALLOC, new DefaultHttp2Headers().add("grpc-status", "0"), true)))
                .isEqualTo("0\r\ngrpc-status: 0\r\n\r\n");
        assertThat(c.done()).isTrue();
    }

    @Test
    void bodyWithLengthPassesAsItIsAndMustMatch() throws Exception {
        H2ToH1 ok = H2ToH1.requests();
        Http2Headers post = new DefaultHttp2Headers().method("POST").scheme("http").path("/").authority("a").add("content-length", "4");
        assertThat(text(ok.headers(ALLOC, post, false))).contains("content-length: 4\r\n").doesNotContain("chunked");
        assertThat(text(ok.data(ALLOC, bytes("ab"), false))).isEqualTo("ab");
        assertThat(text(ok.data(ALLOC, bytes("cd"), true))).isEqualTo("cd");

        H2ToH1 tooMuch = H2ToH1.requests();
        tooMuch.headers(ALLOC, post, false).release();
        assertThatThrownBy(() -> tooMuch.data(ALLOC, bytes("abcde"), false)).isInstanceOf(H2ToH1.Malformed.class);

        H2ToH1 tooLittle = H2ToH1.requests();
        tooLittle.headers(ALLOC, post, false).release();
        assertThatThrownBy(() -> tooLittle.data(ALLOC, bytes("abc"), true)).isInstanceOf(H2ToH1.Malformed.class);
    }

    @Test
    void whatCouldSplitAnHttp1MessageIsRefused() {
        List<Http2Headers> bad = List.of(
                get("/").add("x", "a\r\nx-injected: 1"),
                get("/").add("x", "a\nb"),
                get("/").add("x", "a\0b"),
                get("/").add("x", " padded"),
                get("/a b"),
                get("/a\r\nb"),
                get("relative"),
                raw().method("GET").scheme("http").path("/").authority("a b"),
                raw().method("GET").scheme("http").path("/").authority("user@host"),
                raw().method("G T").scheme("http").path("/"),
                raw().method("GET").path("/"),
                get("/").add("content-length", "1x"),
                get("/").add("content-length", "1").add("content-length", "2"));
        for (Http2Headers h : bad) {
            assertThatThrownBy(() -> H2ToH1.requests().headers(ALLOC, h, false)).as(h.toString()).isInstanceOf(H2ToH1.Malformed.class);
        }
    }

    @Test
    void dataAfterTheEndOrBeforeTheHeadIsRefused() throws Exception {
        H2ToH1 c = H2ToH1.requests();
        assertThatThrownBy(() -> c.data(ALLOC, bytes("x"), false)).isInstanceOf(H2ToH1.Malformed.class);
        H2ToH1 d = H2ToH1.requests();
        d.headers(ALLOC, get("/"), true).release();
        assertThatThrownBy(() -> d.data(ALLOC, bytes("x"), true)).isInstanceOf(H2ToH1.Malformed.class);
    }

    // ---------------------------------------------------------------- responses, HTTP/2 to HTTP/1.1

    @Test
    void responseEndingAtItsHeadSaysItIsEmpty() throws Exception {
        String h1 = text(H2ToH1.responses(false).headers(ALLOC, new DefaultHttp2Headers().status("200"), true));
        assertThat(h1).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        String toHead = text(H2ToH1.responses(true).headers(ALLOC,
                new DefaultHttp2Headers().status("200").add("content-length", "10"), true));
        assertThat(toHead).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n");
    }

    // ---------------------------------------------------------------- HTTP/1.1 to HTTP/2

    private static List<Http2StreamFrame> write(H1ToH2 c, String... pieces) {
        List<Http2StreamFrame> out = new ArrayList<>();
        for (String p : pieces) out.addAll(c.write(bytes(p)));
        return out;
    }

    private static String describe(List<Http2StreamFrame> frames) {
        StringBuilder sb = new StringBuilder();
        for (Http2StreamFrame f : frames) {
            if (f instanceof Http2HeadersFrame h) {
                sb.append("HEADERS").append(h.headers().toString().replaceFirst("^DefaultHttp2Headers", ""));
                if (h.isEndStream()) sb.append(" END");
            } else if (f instanceof Http2DataFrame d) {
                sb.append("DATA[").append(d.content().toString(StandardCharsets.ISO_8859_1)).append(']');
                if (d.isEndStream()) sb.append(" END");
                d.release();
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void smallResponseInOneBufferIsHeadersThenDataWithEnd() {
        String frames = describe(write(H1ToH2.responses(),
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nX-Backend: a\r\n\r\nok"));
        assertThat(frames).isEqualTo("HEADERS[:status: 200, content-length: 2, x-backend: a]\nDATA[ok] END\n");
    }

    @Test
    void chunkedResponseSplitAnywhereBecomesDataAndTrailers() {
        String wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/grpc\r\n\r\n"
                + "5\r\nhello\r\n3\r\nabc\r\n0\r\nGrpc-Status: 0\r\nGrpc-Message: fine\r\n\r\n";
        for (int piece = 1; piece <= wire.length(); piece += 7) {
            H1ToH2 c = H1ToH2.responses();
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < wire.length(); i += piece) parts.add(wire.substring(i, Math.min(wire.length(), i + piece)));
            String frames = describe(write(c, parts.toArray(String[]::new)));
            String data = frames.replaceAll("(?s)^HEADERS\\[[^\\n]*\\n", "").replaceAll("DATA\\[([^\\]]*)\\]\\n", "$1");
            assertThat(frames).as("pieces of %d", piece).startsWith("HEADERS[:status: 200, content-type: application/grpc]\n");
            assertThat(data).as("pieces of %d", piece).isEqualTo("helloabcHEADERS[grpc-status: 0, grpc-message: fine] END\n");
            assertThat(c.done()).isTrue();
        }
    }

    @Test
    void interimHeadThenFinalAndBodylessResponses() {
        assertThat(describe(write(H1ToH2.responses(), "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
                "HTTP/1.1 204 No Content\r\n\r\n")))
                .isEqualTo("HEADERS[:status: 103, link: </a>]\nHEADERS[:status: 204] END\n");
        H1ToH2 head = H1ToH2.responses();
        head.headRequest(true);
        assertThat(describe(write(head, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n")))
                .isEqualTo("HEADERS[:status: 200, content-length: 99] END\n");
    }

    @Test
    void requestToABackEndGetsPseudoHeadersAndTeTrailers() {
        String frames = describe(write(H1ToH2.requests("http"),
                "POST /svc/Call HTTP/1.1\r\nHost: backend:50051\r\nTE: trailers\r\nContent-Length: 3\r\n\r\nabc"));
        assertThat(frames).isEqualTo("HEADERS[:method: POST, :scheme: http, :path: /svc/Call, :authority: backend:50051,"
                + " content-length: 3, te: trailers]\nDATA[abc] END\n");
    }
}
