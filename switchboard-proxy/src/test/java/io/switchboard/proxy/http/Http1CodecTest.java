package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.switchboard.proxy.guard.StrictParsingCorpus;
import io.switchboard.proxy.guard.StrictParsingCorpus.By;
import io.switchboard.proxy.guard.StrictParsingCorpus.Case;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Http1Decoder}, {@link HeadParser} and {@link HeadWriter} on their own, in an EmbeddedChannel:
 * the strict corpus is refused by the decoder alone, whatever way the bytes are split; valid messages
 * decode to the same heads and bodies whole or byte by byte; the forwarding fields are written as a
 * proxy must.
 */
class Http1CodecTest {
    static final HeadParser.Limits LIMITS = new HeadParser.Limits(8192, 16384, 100);

    /** What the decoder made of some bytes, as text: one line per message. */
    private static List<String> decode(boolean requests, byte[] wire, int piece) {
        EmbeddedChannel ch = new EmbeddedChannel(requests ? Http1Decoder.forRequests(LIMITS, null)
                : Http1Decoder.forResponses(BackendConnections.RESPONSE_LIMITS));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < wire.length; i += piece) {
            ch.writeInbound(Unpooled.wrappedBuffer(wire, i, Math.min(piece, wire.length - i)));
            drain(ch, out);
        }
        ch.finish();
        drain(ch, out);
        return merge(out);
    }

    private static void drain(EmbeddedChannel ch, List<String> out) {
        Object m;
        while ((m = ch.readInbound()) != null) {
            if (m instanceof Head h) {
                out.add(h.failed() ? "refused " + h.failureStatus + ": " + h.failure
                        : "head " + (h.request ? h.method + " " + h.uri() : h.status) + " fields=" + h.fields);
            } else if (m instanceof Body b) {
                String data = b.content().toString(StandardCharsets.ISO_8859_1);
                out.add(b.failure != null ? "body refused: " + b.failure
                        : "body " + data + (b.last ? " (last" + (b.trailer == null ? "" : " trailer " + new String(b.trailer, StandardCharsets.ISO_8859_1).trim()) + ")" : ""));
                b.release();
            }
        }
    }

    /** Adjacent body pieces joined, so that results of different splits compare equal. */
    private static List<String> merge(List<String> in) {
        List<String> out = new ArrayList<>();
        for (String s : in) {
            int last = out.size() - 1;
            if (s.startsWith("body ") && !s.startsWith("body refused") && last >= 0 && out.get(last).startsWith("body ")
                    && !out.get(last).contains("(last") && !out.get(last).startsWith("body refused")) {
                out.set(last, out.get(last) + s.substring(5));
            } else {
                out.add(s);
            }
        }
        return out;
    }

    static Stream<Case> refusedByTheDecoder() {
        return StrictParsingCorpus.REJECTED_REQUESTS.stream().filter(c -> c.by() == By.DECODER);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedByTheDecoder")
    void everyMalformedRequestIsRefusedWholeOrInPieces(Case c) {
        byte[] wire = c.wire().getBytes(StandardCharsets.ISO_8859_1);
        List<String> whole = decode(true, wire, wire.length);
        assertThat(String.join("\n", whole)).as(c.name()).contains("refused").contains(c.cause());
        for (int piece = 1; piece <= 7; piece++) {
            assertThat(decode(true, wire, piece)).as(c.name() + " in pieces of " + piece).isEqualTo(whole);
        }
    }

    static Stream<Case> accepted() {
        return StrictParsingCorpus.ACCEPTED_REQUESTS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void validRequestsDecodeTheSameWholeOrInPieces(Case c) {
        byte[] wire = c.wire().getBytes(StandardCharsets.ISO_8859_1);
        List<String> whole = decode(true, wire, wire.length);
        assertThat(whole).as(c.name()).noneMatch(s -> s.contains("refused"));
        assertThat(whole.get(whole.size() - 1)).contains("(last");
        for (int piece = 1; piece <= 7; piece++) {
            assertThat(decode(true, wire, piece)).as(c.name() + " in pieces of " + piece).isEqualTo(whole);
        }
    }

    @Test
    void pipelinedRequestsAndTheirBodies() {
        String wire = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                + "POST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n"
                + "\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n";
        List<String> expected = List.of("head POST /a fields=2", "body hello (last)", "head POST /b fields=2",
                "body abcde (last trailer X-T: 1)", "head GET /c fields=1", "body  (last)");
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        for (int piece : new int[] {bytes.length, 1, 2, 3, 5, 13}) {
            assertThat(decode(true, bytes, piece)).as("pieces of " + piece).isEqualTo(expected);
        }
    }

    @Test
    void responsesEndByTheirFramingOrTheClose() {
        assertThat(decode(false, bytes("HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"), 100))
                .containsExactly("head 103 fields=1", "head 200 fields=1", "body hi (last)");
        assertThat(decode(false, bytes("HTTP/1.0 200 OK\r\n\r\nuntil the end"), 4))
                .containsExactly("head 200 fields=0", "body until the end (last)");
        assertThat(decode(false, bytes("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"), 100))
                .containsExactly("head 204 fields=1", "body  (last)");
    }

    @Test
    void aResponseToHeadHasNoBodyWhateverItsFraming() {
        EmbeddedChannel ch = new EmbeddedChannel(Http1Decoder.forResponses(BackendConnections.RESPONSE_LIMITS));
        ((Http1Decoder) ch.pipeline().first()).expectResponseTo(true);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")));
        List<String> out = new ArrayList<>();
        drain(ch, out);
        assertThat(out).containsExactly("head 200 fields=1", "body  (last)");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aBrokenFirstChunkRefusesTheWholeResponse() {
        assertThat(decode(false, bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 100))
                .containsExactly("refused 502: malformed response body: chunk size is not a hex number (invalid character 0x7A)");
    }

    @Test
    void limits() {
        assertThat(decode(true, bytes("GET /" + "x".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n"), 1000))
                .containsExactly("refused 414: request line longer than 8192 bytes");
        assertThat(decode(true, bytes("GET / HTTP/1.1\r\nHost: a\r\nX: " + "y".repeat(20000) + "\r\n\r\n"), 1000))
                .containsExactly("refused 431: request header larger than 16384 bytes");
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', nullValues = "ok", textBlock = """
            example.com            | ok
            example.com:8080       | ok
            ''                     | ok
            10.0.0.1:80            | ok
            [::1]:8080             | ok
            [2001:db8::1]          | ok
            my_host.internal.      | ok
            a,b                    | Host is a list (more than one Host, RFC 9112 section 3.2)
            user@a                 | invalid character in Host
            café                   | invalid character in Host
            a:80:90                | malformed Host (an IPv6 address needs brackets)
            ::1                    | malformed Host (an IPv6 address needs brackets)
            [::1                   | malformed IP literal in Host
            [::1]x                 | malformed Host (expected host[:port])
            a]                     | malformed Host (brackets only around an IPv6 address)
            a:                     | malformed port in Host
            a:123456               | malformed port in Host
            a:8o                   | malformed port in Host
            """)
    void hostValues(String host, String problem) {
        byte[] b = (host == null ? "" : host).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(HeadParser.checkHost(b, 0, b.length)).isEqualTo(problem);
    }

    private static Head head(boolean request, String wire) {
        byte[] b = bytes(wire);
        return HeadParser.parse(b, b.length, request, LIMITS);
    }

    private static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    @Test
    void requestGetsForwardedForProtoHostAndViaInHttp11() {
        Head h = head(true, "GET /x?y HTTP/1.0\r\nHost: shop.example\r\nAccept: */*\r\n\r\n");
        assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, h, bytes("192.0.2.7"), bytes("http"), false))).isEqualTo(
                "GET /x?y HTTP/1.1\r\nHost: shop.example\r\nAccept: */*\r\nX-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\n"
                        + "X-Forwarded-Host: shop.example\r\nVia: 1.1 switchboard\r\n\r\n");
    }

    @Test
    void forwardedForIsAppendedViaChainedAndTheClientsProtoAndHostReplaced() {
        Head h = head(true, "GET / HTTP/1.1\r\nX-Forwarded-For: 203.0.113.1\r\nVia: 1.1 cdn\r\nX-Forwarded-For: 198.51.100.2\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\n\r\n");
        assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, h, bytes("192.0.2.7"), bytes("http"), false))).isEqualTo(
                "GET / HTTP/1.1\r\nX-Forwarded-For: 203.0.113.1, 198.51.100.2, 192.0.2.7\r\nX-Forwarded-Proto: http\r\nVia: 1.1 cdn, 1.1 switchboard\r\n\r\n");
    }

    @Test
    void hopByHopAndConnectionNamedFieldsAreRemovedButFramingAndHostStay() {
        Head h = head(true, "POST / HTTP/1.1\r\nConnection: keep-alive, X-Private, Transfer-Encoding, Host\r\nX-Private: secret\r\n"
                + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: h2c\r\nHost: a\r\n"
                + "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
        assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, h, bytes("192.0.2.7"), bytes("http"), true))).isEqualTo(
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nX-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\n"
                        + "X-Forwarded-Host: a\r\nVia: 1.1 switchboard\r\n\r\n");
    }

    @Test
    void responseHeadInTheClientsVersionWithItsFraming() {
        Head h = head(false, "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\nVia: 1.0 app\r\nX-A: b\r\n\r\n");
        assertThat(text(HeadWriter.response(ByteBufAllocator.DEFAULT, h, true, true, false, HeadWriter.Connection.CLOSE))).isEqualTo(
                "HTTP/1.0 200 OK\r\nX-A: b\r\nConnection: close\r\nVia: 1.0 app, 1.1 switchboard\r\n\r\n");
        Head unframed = head(false, "HTTP/1.0 200 OK\r\nServer: x\r\n\r\n");
        assertThat(text(HeadWriter.response(ByteBufAllocator.DEFAULT, unframed, false, false, true, HeadWriter.Connection.NOTHING))).isEqualTo(
                "HTTP/1.1 200 OK\r\nServer: x\r\nTransfer-Encoding: chunked\r\nVia: 1.1 switchboard\r\n\r\n");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
