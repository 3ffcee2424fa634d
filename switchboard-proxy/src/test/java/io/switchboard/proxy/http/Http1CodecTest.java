package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.switchboard.proxy.guard.StrictParsingCorpus;
import io.switchboard.proxy.guard.StrictParsingCorpus.By;
import io.switchboard.proxy.guard.StrictParsingCorpus.Case;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
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
        return decode(requests, wire, piece, true);
    }

    /** As above; without {@code endOfInput}, only what the decoder made of the bytes before any end of input. */
    private static List<String> decode(boolean requests, byte[] wire, int piece, boolean endOfInput) {
        EmbeddedChannel ch = new EmbeddedChannel(requests ? Http1Decoder.forRequests(LIMITS, null)
                : Http1Decoder.forResponses(BackendConnections.RESPONSE_LIMITS));
        if (!requests) ((Http1Decoder) ch.pipeline().first()).expectResponseTo(false);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < wire.length; i += piece) {
            ch.writeInbound(Unpooled.wrappedBuffer(wire, i, Math.min(piece, wire.length - i)));
            drain(ch, out);
        }
        if (endOfInput) {
            ch.finish();
            drain(ch, out);
        } else {
            ch.finishAndReleaseAll();
        }
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
                "GET / HTTP/1.1\r\nHost: \r\nX-Forwarded-For: 203.0.113.1, 198.51.100.2, 192.0.2.7\r\nX-Forwarded-Proto: http\r\n"
                        + "Via: 1.1 cdn, 1.1 switchboard\r\n\r\n");
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

    @Test
    void aResponseWithoutABodyLosesItsFramingFields() {
        // RFC 9110 section 8.6 / RFC 9112 section 6.1: no Content-Length or Transfer-Encoding on a 1xx or 204
        Head noContent = head(false, "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nX-A: b\r\n\r\n");
        assertThat(text(HeadWriter.response(ByteBufAllocator.DEFAULT, noContent, false, false, false, HeadWriter.Connection.NOTHING)))
                .isEqualTo("HTTP/1.1 204 No Content\r\nX-A: b\r\nVia: 1.1 switchboard\r\n\r\n");
        Head hints = head(false, "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\nContent-Length: 0\r\n\r\n");
        assertThat(text(HeadWriter.response(ByteBufAllocator.DEFAULT, hints, false, false, false, HeadWriter.Connection.NOTHING)))
                .isEqualTo("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\nVia: 1.1 switchboard\r\n\r\n");
        // a 304 keeps its Content-Length (the length the full response would have)
        Head notModified = head(false, "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n");
        assertThat(text(HeadWriter.response(ByteBufAllocator.DEFAULT, notModified, false, false, false, HeadWriter.Connection.NOTHING)))
                .contains("Content-Length: 10\r\n");
    }

    // ---------------------------------------------------------------- heads that arrive slowly

    static Stream<Arguments> headsThatNeverEnd() {
        return Stream.of(
                // a status line ended by a lone CR, and "\r\r\n" where the empty line should be: no end ever comes
                Arguments.of(false, "HTTP/1.1 200 OK\rContent-Length: 3\r\r\nabc", "HTTP/1.1 200 OK\rContent-Length: 3\r\n\r\n"),
                Arguments.of(true, "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\r\n", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\r\n\r\n"),
                Arguments.of(true, "GET / HTTP/1.1\r\nHost: a\u0000b\r\n", "GET / HTTP/1.1\r\nHost: a\u0000b\r\n\r\n"),
                Arguments.of(true, "GET / HTTP/1.1\nHost: a\r\n", "GET / HTTP/1.1\nHost: a\r\n\r\n"),
                Arguments.of(false, "HTTP/1.1 200 OK\r\nX-A: b\u007f\r\nX-B: c", "HTTP/1.1 200 OK\r\nX-A: b\u007f\r\n\r\n"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("headsThatNeverEnd")
    void aHeadWithAByteRefusedAnywhereIsRefusedAtOnceWithTheCauseOfTheWholeHead(boolean requests, String unended, String whole) {
        List<String> ofWhole = decode(requests, bytes(whole), whole.length());
        assertThat(ofWhole).hasSize(1);
        assertThat(ofWhole.get(0)).startsWith(requests ? "refused 400: " : "refused 502: ");
        byte[] wire = bytes(unended);
        for (int piece : new int[] {wire.length, 1, 2, 5}) {
            assertThat(decode(requests, wire, piece, false)).as("in pieces of %d", piece).isEqualTo(ofWhole);
        }
    }

    @Test
    void aValidHeadInPiecesWithTabsAndObsTextIsNotRefusedEarly() {
        byte[] wire = bytes("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\tc \u00e9\r\nX-B: d\r\n\r\n");
        List<String> whole = decode(true, wire, wire.length);
        assertThat(whole).containsExactly("head GET / fields=3", "body  (last)");
        for (int piece = 1; piece <= 7; piece++) assertThat(decode(true, wire, piece)).isEqualTo(whole);
    }

    private static String manyFieldsRequest() {
        StringBuilder sb = new StringBuilder("GET /slow?x=1 HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < 60; i++) sb.append("X-Field-").append(i).append(": value number ").append(i).append("\r\n");
        return sb.append("Content-Length: 3\r\n\r\nabc").toString();
    }

    @Test
    void aHeadTrickledOneByteAtATimeDecodesAsWhole() {
        byte[] wire = bytes(manyFieldsRequest());
        List<String> whole = decode(true, wire, wire.length);
        assertThat(whole).containsExactly("head GET /slow?x=1 fields=62", "body abc (last)");
        assertThat(decode(true, wire, 1)).isEqualTo(whole);
        assertThat(decode(true, wire, 2)).isEqualTo(whole);
    }

    @Test
    void aTrickledHeadIsCopiedAndScannedOnceNotOnEveryRead() {
        byte[] wire = bytes(manyFieldsRequest());
        Http1Decoder decoder = Http1Decoder.forRequests(LIMITS, null);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        for (int i = 0; i < wire.length; i++) ch.writeInbound(Unpooled.wrappedBuffer(wire, i, 1));
        List<String> out = new ArrayList<>();
        drain(ch, out);
        assertThat(merge(out)).containsExactly("head GET /slow?x=1 fields=62", "body abc (last)");
        // Linear: each byte copied into the head buffer once and searched once (and once more where
        // the head buffer is first made); a rescan from byte 0 on every read would be ~wire.length^2 / 2.
        assertThat(decoder.headBytesScanned).as("bytes copied and searched for a %d-byte head", wire.length)
                .isLessThanOrEqualTo(4L * wire.length);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aLongRequestLineTrickledIsStillLinearAndRefusedAtItsLimit() {
        byte[] wire = bytes("GET /" + "x".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n");
        Http1Decoder decoder = Http1Decoder.forRequests(LIMITS, null);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        for (int i = 0; i < wire.length && ch.isOpen(); i++) ch.writeInbound(Unpooled.wrappedBuffer(wire, i, 1));
        List<String> out = new ArrayList<>();
        drain(ch, out);
        assertThat(out).containsExactly("refused 414: request line longer than 8192 bytes");
        assertThat(decoder.headBytesScanned).isLessThanOrEqualTo(4L * wire.length);
        ch.finishAndReleaseAll();
    }

    // ---------------------------------------------------------------- what is forwarded

    @Test
    void fieldNamesWithUnderscoresAreNotForwardedToTheBackEnd() {
        Head h = head(true, "GET / HTTP/1.1\r\nHost: a\r\nX_Forwarded_For: 1.2.3.4\r\nX-Ok: 1\r\nmy_header: v\r\nAccept: */*\r\n\r\n");
        assertThat(h.failed()).isFalse();
        assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, h, bytes("192.0.2.7"), bytes("http"), false))).isEqualTo(
                "GET / HTTP/1.1\r\nHost: a\r\nX-Ok: 1\r\nAccept: */*\r\nX-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\n"
                        + "X-Forwarded-Host: a\r\nVia: 1.1 switchboard\r\n\r\n");
        Head resp = head(false, "HTTP/1.1 200 OK\r\nX_Powered_By: app\r\nContent-Length: 0\r\n\r\n");
        assertThat(text(HeadWriter.response(ByteBufAllocator.DEFAULT, resp, false, false, false, HeadWriter.Connection.NOTHING))).isEqualTo(
                "HTTP/1.1 200 OK\r\nX_Powered_By: app\r\nContent-Length: 0\r\nVia: 1.1 switchboard\r\n\r\n");
    }

    @Test
    void anAbsoluteFormTargetIsForwardedInOriginFormWithItsAuthorityAsHost() {
        Head h = head(true, "GET http://evil.example:8080/p?q=1 HTTP/1.1\r\nHost: good\r\nAccept: */*\r\n\r\n");
        assertThat(h.failed()).as(h.failure).isFalse();
        assertThat(h.uri()).isEqualTo("/p?q=1");
        assertThat(h.host()).isEqualTo("evil.example:8080");
        assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, h, bytes("192.0.2.7"), bytes("http"), false))).isEqualTo(
                "GET /p?q=1 HTTP/1.1\r\nHost: evil.example:8080\r\nAccept: */*\r\nX-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\n"
                        + "X-Forwarded-Host: evil.example:8080\r\nVia: 1.1 switchboard\r\n\r\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            GET http://h HTTP/1.1          | GET / HTTP/1.1          | /        | h
            GET HTTPS://h:443?x=1 HTTP/1.1 | GET /?x=1 HTTP/1.1      | /?x=1    | h:443
            GET http://[::1]:81/a/b HTTP/1.1 | GET /a/b HTTP/1.1     | /a/b     | [::1]:81
            OPTIONS http://h:8001 HTTP/1.1 | OPTIONS * HTTP/1.1      | *        | h:8001
            OPTIONS http://h/ HTTP/1.1     | OPTIONS / HTTP/1.1      | /        | h
            GET /plain HTTP/1.1            | GET /plain HTTP/1.1     | /plain   | a
            OPTIONS * HTTP/1.1             | OPTIONS * HTTP/1.1      | *        | a
            """)
    void requestTargetsAsTheBackEndSeesThem(String requestLine, String forwardedLine, String uri, String host) {
        Head h = head(true, requestLine + "\r\nHost: a\r\n\r\n");
        assertThat(h.failed()).as(h.failure).isFalse();
        assertThat(h.uri()).isEqualTo(uri);
        assertThat(h.host()).isEqualTo(host);
        String out = text(HeadWriter.request(ByteBufAllocator.DEFAULT, h, bytes("192.0.2.7"), bytes("http"), false));
        assertThat(out).startsWith(forwardedLine + "\r\nHost: " + host + "\r\n").containsOnlyOnce("\r\nHost: ");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            http://u@h/            | userinfo
            http://u:p@h/          | userinfo
            http:///p              | without a host
            http://:80/p           | without a host
            http://?q              | without a host
            http://a,b/            | Host is a list
            http://a:8x/           | malformed port
            ftp://h/               | request target must be a path or an absolute http(s) URI
            """)
    void badAbsoluteFormTargetsAreRefused(String target, String why) {
        Head h = head(true, "GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(h.failed()).isTrue();
        assertThat(h.failureStatus).isEqualTo(400);
        assertThat(h.failure).contains(why);
    }

    @Test
    void anHttp10RequestWithoutHostGetsOneForItsHttp11BackEnd() {
        Head h = head(true, "GET /x HTTP/1.0\r\nAccept: */*\r\n\r\n");
        assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, h, bytes("192.0.2.7"), bytes("http"), false, bytes("10.0.0.5:8080"))))
                .isEqualTo("GET /x HTTP/1.1\r\nHost: 10.0.0.5:8080\r\nAccept: */*\r\nX-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\n"
                        + "Via: 1.1 switchboard\r\n\r\n");
        // Without a back-end name: the empty Host of RFC 9110 section 7.2 (no authority known).
        assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, h, bytes("192.0.2.7"), bytes("http"), false)))
                .isEqualTo("GET /x HTTP/1.1\r\nHost: \r\nAccept: */*\r\nX-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\n"
                        + "Via: 1.1 switchboard\r\n\r\n");
        Head withHost = head(true, "GET /x HTTP/1.0\r\nHost: shop\r\n\r\n");
        assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, withHost, bytes("192.0.2.7"), bytes("http"), false, bytes("10.0.0.5:8080"))))
                .startsWith("GET /x HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For").containsOnlyOnce("\r\nHost: ");
    }

    // ---------------------------------------------------------------- bad response bodies

    static Stream<Case> badResponses() {
        return StrictParsingCorpus.BAD_RESPONSES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badResponses")
    void everyBadResponseIsRefusedByTheDecoder(Case c) {
        List<String> out = decode(false, bytes(c.wire()), c.wire().length());
        // A failed head says "malformed response body: why", a failed body piece only "why".
        String why = c.cause().replaceFirst("^malformed response body(: )?", "");
        assertThat(String.join("\n", out)).as(c.name()).contains("refused").contains(why);
        if (c.status() == 502) assertThat(out.get(0)).as(c.name()).startsWith("refused 502");
    }

    // ---------------------------------------------------------------- the response decoder between responses

    /** After the decoder: records each message with whether the decoder said "reusable" when it arrived. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final Http1Decoder decoder;
        final List<String> seen = new ArrayList<>();
        EmbeddedChannel ch;

        Recorder(Http1Decoder decoder) {
            this.decoder = decoder;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Head h) {
                seen.add(h.failed() ? "refused " + h.failureStatus + ": " + h.failure : "head " + h.status);
            } else if (msg instanceof Body b) {
                seen.add((b.failure != null ? "body refused: " + b.failure : "body " + b.content().toString(StandardCharsets.ISO_8859_1))
                        + (b.last ? " (last, reusable=" + decoder.reusable() + ")" : ""));
                b.release();
            }
        }
    }

    private static Recorder responses() {
        Http1Decoder decoder = Http1Decoder.forResponses(BackendConnections.RESPONSE_LIMITS);
        Recorder r = new Recorder(decoder);
        r.ch = new EmbeddedChannel(decoder, r);
        return r;
    }

    private static void write(Recorder r, String wire) {
        r.ch.writeInbound(Unpooled.wrappedBuffer(bytes(wire)));
    }

    @Test
    void aBodyAfterAResponseToHeadIsNotTakenForTheNextResponse() {
        Recorder r = responses();
        r.decoder.expectResponseTo(true);
        write(r, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(r.seen).containsExactly("head 200", "body  (last, reusable=false)");
        assertThat(r.decoder.reusable()).isFalse();
        assertThat(r.ch.isOpen()).as("connection closed").isFalse();
    }

    @Test
    void aBodyAfterAResponseToHeadInALaterReadIsNotTakenForTheNextResponse() {
        Recorder r = responses();
        r.decoder.expectResponseTo(true);
        write(r, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertThat(r.seen).containsExactly("head 200", "body  (last, reusable=true)");
        write(r, "hello");
        assertThat(r.seen).containsExactly("head 200", "body  (last, reusable=true)");
        assertThat(r.decoder.reusable()).isFalse();
        r.decoder.expectResponseTo(false); // too late: the connection is broken
        assertThat(r.decoder.reusable()).isFalse();
        assertThat(r.ch.isOpen()).isFalse();
    }

    @Test
    void bytesBeyondTheContentLengthMakeTheConnectionUnusable() {
        Recorder r = responses();
        r.decoder.expectResponseTo(false);
        write(r, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello0123456789");
        assertThat(r.seen).containsExactly("head 200", "body hello (last, reusable=false)");
        assertThat(r.decoder.reusable()).isFalse();
        assertThat(r.ch.isOpen()).isFalse();
    }

    @Test
    void bytesAfterAChunkedResponseMakeTheConnectionUnusable() {
        Recorder r = responses();
        r.decoder.expectResponseTo(false);
        write(r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n");
        assertThat(r.seen).containsExactly("head 200", "body hi", "body  (last, reusable=false)");
        assertThat(r.decoder.reusable()).isFalse();
    }

    @Test
    void aCleanKeepAliveResponseLeavesTheConnectionReusableForTheNext() {
        Recorder r = responses();
        r.decoder.expectResponseTo(false);
        write(r, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        assertThat(r.decoder.reusable()).isTrue();
        r.decoder.expectResponseTo(true);
        write(r, "HTTP/1.1 204 No Content\r\n\r\n");
        r.decoder.expectResponseTo(false);
        write(r, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n");
        assertThat(r.decoder.reusable()).as("in the middle of a response").isFalse();
        write(r, "abc");
        assertThat(r.seen).containsExactly("head 200", "body hi (last, reusable=true)", "head 204", "body  (last, reusable=true)",
                "head 200", "body abc (last, reusable=true)");
        assertThat(r.decoder.reusable()).isTrue();
        assertThat(r.ch.isOpen()).isTrue();
    }

    @Test
    void bytesBeforeAnyRequestMakeTheConnectionUnusable() {
        Recorder r = responses();
        write(r, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertThat(r.seen).isEmpty();
        assertThat(r.decoder.reusable()).isFalse();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------- WebSocket

    private static final String WS_HANDSHAKE = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n"
            + "Upgrade: WebSocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    /** Messages read from {@code ch} as text; raw bytes (tunnel data) as "raw ...". */
    private static List<String> messages(EmbeddedChannel ch) {
        List<String> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            if (m instanceof ByteBuf b) {
                out.add("raw " + b.toString(StandardCharsets.ISO_8859_1));
                b.release();
            } else if (m instanceof Head h) {
                out.add("head " + (h.request ? h.method + " " + h.uri() : h.status) + " fields=" + h.fields);
            } else if (m instanceof Body body) {
                out.add("body " + body.content().toString(StandardCharsets.ISO_8859_1) + (body.last ? " (last)" : ""));
                body.release();
            }
        }
        return out;
    }

    @Test
    void onlyAWebSocketHandshakeIsForwardedWithItsUpgrade() {
        Head ws = head(true, WS_HANDSHAKE);
        assertThat(ws.webSocketUpgrade()).isTrue();
        assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, ws, bytes("192.0.2.7"), bytes("http"), false))).isEqualTo(
                "GET /ws HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                        + "X-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: a\r\n"
                        + "Connection: Upgrade\r\nUpgrade: websocket\r\nVia: 1.1 switchboard\r\n\r\n");
        for (String notWs : List.of(
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket, h2c\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nUpgrade: websocket\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n",
                "POST / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 1\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nTransfer-Encoding: chunked\r\n\r\n",
                "GET / HTTP/1.0\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")) {
            Head h = head(true, notWs);
            assertThat(h.webSocketUpgrade()).as(notWs).isFalse();
            assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, h, bytes("192.0.2.7"), bytes("http"), false)))
                    .as(notWs).doesNotContainIgnoringCase("upgrade");
        }
    }

    @Test
    void aSwitchingProtocolsHeadKeepsItsUpgradeForTheClient() {
        Head h = head(false, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
        assertThat(text(HeadWriter.response(ByteBufAllocator.DEFAULT, h, false, false, false, HeadWriter.Connection.UPGRADE))).isEqualTo(
                "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                        + "Connection: Upgrade\r\nUpgrade: websocket\r\nVia: 1.1 switchboard\r\n\r\n");
    }

    @Test
    void bytesAfterAHandshakeAreHeldThenPassedOnRawForATunnel() {
        Http1Decoder d = Http1Decoder.forRequests(LIMITS, null);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        ch.writeInbound(Unpooled.copiedBuffer(WS_HANDSHAKE + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.ISO_8859_1));
        ch.writeInbound(Unpooled.copiedBuffer("more", StandardCharsets.ISO_8859_1));
        assertThat(messages(ch)).containsExactly("head GET /ws fields=5", "body  (last)");
        assertThat(d.holdingUpgrade()).isTrue();
        ByteBuf held = d.tunnel();
        assertThat(held.toString(StandardCharsets.ISO_8859_1)).isEqualTo("GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\nmore");
        held.release();
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat(messages(ch)).containsExactly("raw GET / HTTP/1.1\r\n\r\n");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void bytesAfterAHandshakeThatWasNotSwitchedAreParsedAsTheNextRequests() {
        Http1Decoder d = Http1Decoder.forRequests(LIMITS, null);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        ch.writeInbound(Unpooled.copiedBuffer(WS_HANDSHAKE + "GET /next HTTP/1.1\r\nHo", StandardCharsets.ISO_8859_1));
        ch.writeInbound(Unpooled.copiedBuffer("st: a\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat(messages(ch)).containsExactly("head GET /ws fields=5", "body  (last)");
        d.resume();
        assertThat(d.holdingUpgrade()).isFalse();
        assertThat(messages(ch)).containsExactly("head GET /next fields=1", "body  (last)");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aResponseDecoderAskedForAnUpgradePassesOnWhatFollowsTheSwitch() {
        Http1Decoder d = Http1Decoder.forResponses(BackendConnections.RESPONSE_LIMITS);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        d.expectResponseTo(false);
        d.expectUpgrade();
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                + "\u0081\u0002hi", StandardCharsets.ISO_8859_1));
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat(messages(ch)).containsExactly("head 101 fields=2", "raw \u0081\u0002hi", "raw HTTP/1.1 200 OK\r\n\r\n");
        assertThat(d.reusable()).isFalse();
        ch.finish();

        Http1Decoder unasked = Http1Decoder.forResponses(BackendConnections.RESPONSE_LIMITS);
        EmbeddedChannel other = new EmbeddedChannel(unasked);
        unasked.expectResponseTo(false);
        other.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        assertThat(messages(other)).as("a 101 nobody asked for ends the parsing").containsExactly("head 101 fields=1");
        other.finish();
    }
}
