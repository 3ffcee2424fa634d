package io.switchboard.proxy.h2;

import static io.switchboard.proxy.h2.RawH2.CONTINUATION;
import static io.switchboard.proxy.h2.RawH2.DATA;
import static io.switchboard.proxy.h2.RawH2.END_HEADERS;
import static io.switchboard.proxy.h2.RawH2.END_STREAM;
import static io.switchboard.proxy.h2.RawH2.ENHANCE_YOUR_CALM;
import static io.switchboard.proxy.h2.RawH2.GOAWAY;
import static io.switchboard.proxy.h2.RawH2.HEADERS;
import static io.switchboard.proxy.h2.RawH2.PROTOCOL_ERROR;
import static io.switchboard.proxy.h2.RawH2.REFUSED_STREAM;
import static io.switchboard.proxy.h2.RawH2.RST_STREAM;
import static io.switchboard.proxy.h2.RawH2.SETTINGS;
import static io.switchboard.proxy.h2.RawH2.concat;
import static io.switchboard.proxy.h2.RawH2.frame;
import static io.switchboard.proxy.h2.RawH2.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpRequest;
import io.switchboard.config.Http2Config;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.h2.RawH2.Frame;
import io.switchboard.proxy.h2.RawH2.Sent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP/2 front end's protections (RFC 9113 section 10.5 and the known attacks on HTTP/2 servers),
 * each shown with the raw frames of the attack ({@link RawH2}, h2c with prior knowledge) through the
 * proxy to a {@code DemoBackend}: what the client gets back, that the connection is closed when it
 * should be, and what the back end saw (nothing of a refused request).
 */
class Http2ProtectionIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private ProxyFixture f;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    /**
     * Lets the leak detector (paranoid in the build) report what the attacks leaked: it reports a
     * buffer collected unreleased when a later allocation polls its queue. The report is a LEAK line
     * in the test output, not an assertion.
     */
    @AfterAll
    static void flushLeakReports() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(100);
            for (int i = 0; i < 64; i++) ByteBufAllocator.DEFAULT.buffer(16).release();
        }
    }

    private void start(Http2Config h2) throws Exception {
        start(h2, 16384);
    }

    private void start(Http2Config h2, int maxHeaderSize) throws Exception {
        f = new ProxyFixture().backends("alpha");
        f.http2 = h2;
        f.maxHeaderSize = maxHeaderSize;
        f.start();
    }

    private static Http2Config h2(int maxConcurrentStreams, int maxResets, int maxControlFrames) {
        return new Http2Config(true, maxConcurrentStreams, Http2Config.DEFAULT_INITIAL_WINDOW_SIZE, maxResets,
                Duration.ofSeconds(30), maxControlFrames);
    }

    private static byte[] headers(int stream, int flags, byte[] block) {
        return frame(HEADERS, flags, stream, block);
    }

    private static byte[] get(int stream, String path) {
        return headers(stream, END_STREAM | END_HEADERS, request("GET", path));
    }

    /** A GET on a new connection; its status, or what came instead. */
    private String freshGet(String path) throws Exception {
        try (RawH2 c = RawH2.connect(f.port())) {
            c.write(get(1, path));
            Frame a = c.answer(1, WAIT);
            return a == null ? "nothing" : a.status() != null ? a.status() : a.toString();
        }
    }

    /** The request targets the back end saw, after a last GET of {@code /after} on a new connection. */
    private List<String> backendTargetsAfterAFreshGet() throws Exception {
        assertThat(freshGet("/after")).isEqualTo("200");
        return f.backends.get(0).requests().stream().map(HttpRequest::uri).toList();
    }

    private static boolean refusedOrGoneAway(Frame a) {
        return a != null && (a.type() == RST_STREAM || a.type() == GOAWAY || a.type() == RawH2.CLOSED || "431".equals(a.status()));
    }

    // ---------------------------------------------------------------- 1. rapid reset

    @Test
    void rapidResetIsAnsweredWithGoAwayEnhanceYourCalmAndTheNextConnectionStillWorks() throws Exception {
        int maxResets = 50;
        start(h2(100, maxResets, 1000));
        try (RawH2 c = RawH2.connect(f.port())) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                int stream = 1 + 2 * i;
                burst.writeBytes(get(stream, "/delay?ms=500"));
                burst.writeBytes(RawH2.rst(stream, 0x8)); // CANCEL
            }
            c.writeRepeated(burst.toByteArray(), 1, WAIT);
            Frame g = c.await(x -> x.type() == GOAWAY, WAIT);
            assertThat(g).as("after %d resets; frames: %s", 500, c.seen).isNotNull();
            assertThat(g.type()).as("%s", c.seen).isEqualTo(GOAWAY);
            assertThat(g.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
            assertThat(c.awaitClosed(WAIT)).isTrue();
        }
        assertThat(freshGet("/after")).isEqualTo("200");
        assertThat(f.backends.get(0).requestCount()).isLessThanOrEqualTo(maxResets + 2);
    }

    // ---------------------------------------------------------------- 2. CONTINUATION floods

    @Test
    void aHeaderBlockGrowingWithoutEndIsCutOffAtTheHeaderSizeLimit() throws Exception {
        start(Http2Config.DEFAULT);
        try (RawH2 c = RawH2.connect(f.port())) {
            c.write(headers(1, END_STREAM, request("GET", "/flood")));
            byte[] more = frame(CONTINUATION, 0, 1, RawH2.block("x-fill", "a".repeat(1000)));
            Sent s = c.writeRepeated(more, 20_000, WAIT.multipliedBy(3)); // 20 MB if nobody stopped it
            assertThat(s).as("frames: %s", c.seen).isEqualTo(Sent.PEER_CLOSED);
            Frame g = c.await(x -> x.type() == GOAWAY, WAIT);
            assertThat(g).isNotNull();
            assertThat(c.awaitClosed(WAIT)).isTrue();
        }
        assertThat(backendTargetsAfterAFreshGet()).containsExactly("/after");
    }

    @Test
    void aFloodOfEmptyContinuationFramesIsAnsweredWithGoAway() throws Exception {
        start(Http2Config.DEFAULT);
        try (RawH2 c = RawH2.connect(f.port())) {
            c.write(headers(1, END_STREAM, request("GET", "/flood")));
            byte[] empty = frame(CONTINUATION, 0, 1, new byte[0]);
            ByteArrayOutputStream chunk = new ByteArrayOutputStream();
            for (int i = 0; i < 1000; i++) chunk.writeBytes(empty);
            Sent s = c.writeRepeated(chunk.toByteArray(), 2_000, WAIT.multipliedBy(3)); // 2 million frames
            assertThat(s).as("frames: %s", c.seen).isEqualTo(Sent.PEER_CLOSED);
            Frame g = c.await(x -> x.type() == GOAWAY, WAIT);
            assertThat(g).isNotNull();
            if (g.type() == GOAWAY) assertThat(g.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
            assertThat(c.awaitClosed(WAIT)).isTrue();
        }
        assertThat(backendTargetsAfterAFreshGet()).containsExactly("/after");
    }

    // ---------------------------------------------------------------- 3. HPACK bomb

    @Test
    void anHpackBombIsRefusedAndNotForwarded() throws Exception {
        start(Http2Config.DEFAULT);
        try (RawH2 c = RawH2.connect(f.port())) {
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            block.writeBytes(request("GET", "/bomb"));
            block.writeBytes(RawH2.literal(0x40, 6, "x-bomb", "b".repeat(4000))); // into the dynamic table: index 62
            for (int i = 0; i < 500; i++) block.writeBytes(RawH2.indexed(62)); // 2 MB decoded from 4.5 kB
            c.write(headers(1, END_STREAM | END_HEADERS, block.toByteArray()));
            Frame a = c.answer(1, WAIT);
            assertThat(refusedOrGoneAway(a)).as("answer %s; frames %s", a, c.seen).isTrue();
        }
        assertThat(backendTargetsAfterAFreshGet()).containsExactly("/after");
    }

    // ---------------------------------------------------------------- 4. SETTINGS and PING floods

    @Test
    void aPingFloodIsAnsweredWithGoAwayEnhanceYourCalm() throws Exception {
        start(h2(100, 200, 100));
        floodAndExpectCalm(RawH2.ping(42));
    }

    @Test
    void aSettingsFloodIsAnsweredWithGoAwayEnhanceYourCalm() throws Exception {
        start(h2(100, 200, 100));
        floodAndExpectCalm(frame(SETTINGS, 0, 0, new byte[0]));
    }

    private void floodAndExpectCalm(byte[] one) throws Exception {
        try (RawH2 c = RawH2.connect(f.port())) {
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < 1000; i++) flood.writeBytes(one);
            c.writeRepeated(flood.toByteArray(), 1, WAIT);
            Frame g = c.await(x -> x.type() == GOAWAY, WAIT);
            assertThat(g).isNotNull();
            assertThat(g.type()).as("%s", c.seen.subList(Math.max(0, c.seen.size() - 5), c.seen.size())).isEqualTo(GOAWAY);
            assertThat(g.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
            assertThat(c.awaitClosed(WAIT)).isTrue();
        }
        assertThat(freshGet("/after")).isEqualTo("200");
    }

    @Test
    void aClientThatFloodsPingsAndNeverReadsIsDisconnected() throws Exception {
        start(h2(100, 200, Integer.MAX_VALUE)); // only the bound on queued acknowledgements is left
        try (RawH2 c = RawH2.connect(f.port(), false, 4096)) {
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < 1000; i++) flood.writeBytes(RawH2.ping(i));
            Sent s = c.writeRepeated(flood.toByteArray(), 500, WAIT.multipliedBy(6)); // 500,000 PINGs, 8.5 MB of acks
            assertThat(s).isNotEqualTo(Sent.COMPLETE);
            assertThat(c.drainUntilClosed(64L << 20, WAIT)).as("closed by the server").isTrue();
        }
        assertThat(freshGet("/after")).isEqualTo("200");
    }

    // ---------------------------------------------------------------- 5. concurrent streams

    @Test
    void streamsBeyondMaxConcurrentStreamsAreRefusedAndTheOthersComplete() throws Exception {
        start(h2(3, 200, 1000));
        try (RawH2 c = RawH2.connect(f.port())) {
            c.write(concat(get(1, "/delay?ms=1000"), get(3, "/delay?ms=1000"), get(5, "/delay?ms=1000"), get(7, "/delay?ms=1000")));
            Map<Integer, Frame> answers = new HashMap<>();
            for (int i = 0; i < 4 && answers.size() < 4; i++) {
                Frame a = c.await(x -> x.type() == RST_STREAM || x.type() == HEADERS || x.type() == GOAWAY, WAIT);
                if (a == null || a.type() == RawH2.CLOSED || a.type() == GOAWAY) break;
                answers.put(a.stream(), a);
            }
            assertThat(answers).as("%s", c.seen).containsKeys(1, 3, 5, 7);
            assertThat(answers.get(7).type()).as("%s", answers.get(7)).isEqualTo(RST_STREAM);
            assertThat(answers.get(7).errorCode()).isEqualTo(REFUSED_STREAM);
            for (int s : new int[] {1, 3, 5}) assertThat(answers.get(s).status()).as("stream %d", s).isEqualTo("200");
        }
        assertThat(f.backends.get(0).requestCount()).isEqualTo(3);
    }

    // ---------------------------------------------------------------- 6. header list size

    @Test
    void aHeaderListOverTheLimitIsRefusedAndOneJustUnderItWorks() throws Exception {
        start(Http2Config.DEFAULT, 4096);
        try (RawH2 c = RawH2.connect(f.port())) {
            c.write(headers(1, END_STREAM | END_HEADERS, request("GET", "/big", "x-big", "x".repeat(4200))));
            Frame a = c.answer(1, WAIT);
            assertThat(refusedOrGoneAway(a)).as("answer %s", a).isTrue();
        }
        try (RawH2 c = RawH2.connect(f.port())) {
            c.write(headers(1, END_STREAM | END_HEADERS, request("GET", "/small", "x-big", "x".repeat(3500))));
            assertThat(c.answer(1, WAIT).status()).isEqualTo("200");
        }
        assertThat(backendTargetsAfterAFreshGet()).containsExactly("/small", "/after");
    }

    // ---------------------------------------------------------------- 7. malformed requests

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("CR in a value", request("GET", "/m", "x-a", "a\rb"), null),
                Arguments.of("LF in a value", request("GET", "/m", "x-a", "a\nx-injected: 1"), null),
                Arguments.of("NUL in a value", request("GET", "/m", "x-a", "a\0b"), null),
                Arguments.of("a space in :path", request("GET", "/a b"), null),
                Arguments.of("an upper-case name", request("GET", "/m", "X-Upper", "v"), null),
                Arguments.of("connection", request("GET", "/m", "connection", "close"), null),
                Arguments.of("transfer-encoding", request("POST", "/m", "transfer-encoding", "chunked"), "0\r\n\r\n"),
                Arguments.of("te: gzip", request("GET", "/m", "te", "gzip"), null),
                Arguments.of("more DATA than content-length", request("POST", "/m", "content-length", "5"), "0123456789"),
                Arguments.of("less DATA than content-length", request("POST", "/m", "content-length", "10"), "01234"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedRequestIsRefusedAndNotForwarded(String what, byte[] block, String body) throws Exception {
        start(Http2Config.DEFAULT);
        try (RawH2 c = RawH2.connect(f.port())) {
            if (body == null) {
                c.write(headers(1, END_STREAM | END_HEADERS, block));
            } else {
                c.write(concat(headers(1, END_HEADERS, block), frame(DATA, END_STREAM, 1, body.getBytes(StandardCharsets.US_ASCII))));
            }
            Frame a = c.answer(1, WAIT);
            assertThat(a).as("%s: %s", what, c.seen).isNotNull();
            boolean refused = "400".equals(a.status()) || a.type() == RST_STREAM && a.errorCode() == PROTOCOL_ERROR
                    || a.type() == GOAWAY && a.errorCode() == PROTOCOL_ERROR;
            assertThat(refused).as("%s: answer %s", what, a).isTrue();
        }
        assertThat(backendTargetsAfterAFreshGet()).as(what).containsExactly("/after");
    }

    @Test
    void aStreamInErrorIsResetAloneAndTheOtherStreamsOfItsConnectionComplete() throws Exception {
        start(Http2Config.DEFAULT);
        try (RawH2 c = RawH2.connect(f.port())) {
            c.write(get(1, "/delay?ms=300"));
            c.write(concat(headers(3, END_HEADERS, request("POST", "/m", "content-length", "5")),
                    frame(DATA, END_STREAM, 3, "0123456789".getBytes(StandardCharsets.US_ASCII))));
            Map<Integer, Frame> answers = new HashMap<>();
            for (int i = 0; i < 2 && answers.size() < 2; i++) {
                Frame a = c.await(x -> x.type() == RST_STREAM || x.type() == HEADERS || x.type() == GOAWAY, WAIT);
                if (a == null || a.type() == RawH2.CLOSED || a.type() == GOAWAY) break;
                answers.put(a.stream(), a);
            }
            assertThat(answers).as("%s", c.seen).containsKeys(1, 3);
            assertThat(answers.get(3).type()).isEqualTo(RST_STREAM);
            assertThat(answers.get(3).errorCode()).isEqualTo(PROTOCOL_ERROR);
            assertThat(answers.get(1).status()).isEqualTo("200");
        }
    }

    @Test
    void dataAfterTheEndOfTheStreamIsNotASecondRequest() throws Exception {
        start(Http2Config.DEFAULT);
        try (RawH2 c = RawH2.connect(f.port())) {
            byte[] smuggled = "GET /smuggled HTTP/1.1\r\nhost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            c.write(concat(headers(1, END_HEADERS, request("POST", "/upload", "content-length", "5")),
                    frame(DATA, END_STREAM, 1, "hello".getBytes(StandardCharsets.US_ASCII)),
                    frame(DATA, END_STREAM, 1, smuggled)));
            c.await(x -> x.stream() == 1 && x.type() == RST_STREAM || x.type() == GOAWAY, Duration.ofSeconds(2));
        }
        assertThat(backendTargetsAfterAFreshGet()).doesNotContain("/smuggled").endsWith("/after").hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void aWellFormedPostArrivesWithItsBodyAndTheCookiesJoined() throws Exception {
        start(Http2Config.DEFAULT);
        try (RawH2 c = RawH2.connect(f.port())) {
            c.write(concat(headers(1, END_HEADERS, request("POST", "/upload", "content-length", "5",
                            "cookie", "a=1", "cookie", "b=2", "cookie", "c=3")),
                    frame(DATA, END_STREAM, 1, "hello".getBytes(StandardCharsets.US_ASCII))));
            Frame a = c.answer(1, WAIT);
            assertThat(a.status()).as("%s", c.seen).isEqualTo("200");
            Frame body = c.await(x -> x.type() == DATA && x.stream() == 1, WAIT);
            assertThat(new String(body.payload(), StandardCharsets.US_ASCII)).isEqualTo("5\n");
        }
        HttpRequest seen = f.backends.get(0).requests().get(0);
        assertThat(seen.uri()).isEqualTo("/upload");
        assertThat(seen.headers().getAll("cookie")).containsExactly("a=1; b=2; c=3");
    }
}
