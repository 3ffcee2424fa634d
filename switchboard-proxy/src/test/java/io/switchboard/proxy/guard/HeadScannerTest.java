package io.switchboard.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The raw-byte scanner alone: verdicts, which message they belong to, and independence from how bytes arrive. */
class HeadScannerTest {
    private record Verdict(String reason, int ordinal, HeadScanner.Part part) {}

    /** Scans {@code wire} in one piece, then split at every position and byte by byte; all must agree. */
    private static Verdict scan(Supplier<HeadScanner> factory, String wire) {
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        Verdict whole = verdict(feed(factory.get(), bytes, bytes.length));
        for (int split = 1; split < bytes.length; split++) {
            HeadScanner s = factory.get();
            feed(s, bytes, 0, split);
            feed(s, bytes, split, bytes.length);
            assertThat(verdict(s)).as("split at %d of %s", split, wire).isEqualTo(whole);
        }
        assertThat(verdict(feed(factory.get(), bytes, 1))).as("byte by byte").isEqualTo(whole);
        return whole;
    }

    private static HeadScanner feed(HeadScanner s, byte[] bytes, int piece) {
        for (int i = 0; i < bytes.length; i += piece) feed(s, bytes, i, Math.min(bytes.length, i + piece));
        return s;
    }

    private static void feed(HeadScanner s, byte[] bytes, int from, int to) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes, from, to - from);
        int reader = buf.readerIndex();
        s.scan(buf);
        assertThat(buf.readerIndex()).as("the scanner never consumes").isEqualTo(reader);
    }

    private static Verdict verdict(HeadScanner s) {
        if (s.violation() == null) return null;
        for (int ordinal = 1; ordinal < 100; ordinal++) {
            for (HeadScanner.Part part : HeadScanner.Part.values()) {
                if (s.violation(ordinal, part) != null) return new Verdict(s.violation(), ordinal, part);
            }
        }
        throw new AssertionError("violation without an ordinal: " + s.violation());
    }

    private static Verdict request(String wire) {
        return scan(HeadScanner::forRequests, wire);
    }

    @Test
    void validRequestsPassAndBodiesAreSkippedByTheirFraming() {
        // Bodies that look like broken heads must not be scanned as heads.
        String evilBody = "GET /\u0001 http/1.1\r\n obs: fold\r\n";
        assertThat(request("GET / HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: " + evilBody.length() + "\r\n\r\n" + evilBody
                + "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
                + Integer.toHexString(evilBody.length()) + ";ext=1\r\n" + evilBody + "\r\n0\r\nX-Trailer: ok\r\n\r\n"
                + "\r\nOPTIONS * HTTP/1.0\r\nContent-Length:  0 \r\nX-Empty:\r\n\r\n")).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            obs-fold               | GET / HTTP/1.1\\r\\nHost: a\\r\\nX: b\\r\\n c\\r\\n\\r\\n                          | obs-fold: a header line starts with whitespace (line folding is obsolete, RFC 9112 section 5.2)
            space-before-name      | GET / HTTP/1.1\\r\\n Host: a\\r\\n\\r\\n                                        | whitespace before the first header field name
            space-before-colon     | GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n                                        | whitespace between a header field name and the colon
            nul-in-name            | GET / HTTP/1.1\\r\\nX\\u0000Y: a\\r\\n\\r\\n                                    | invalid character 0x00 in a header field name
            bare-cr-value          | GET / HTTP/1.1\\r\\nX: a\\rb\\r\\n\\r\\n                                        | bare CR in a header field
            double-space           | GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                        | more than one space after the method
            tab-separator          | GET\\t/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                       | invalid character 0x09 in the method (methods are tokens, RFC 9110 section 9.1)
            lower-case-version     | GET / http/1.1\\r\\nHost: a\\r\\n\\r\\n                                         | unsupported or malformed HTTP version (allowed: HTTP/1.0, HTTP/1.1)
            http-1.2               | GET / HTTP/1.2\\r\\nHost: a\\r\\n\\r\\n                                         | unsupported or malformed HTTP version (allowed: HTTP/1.0, HTTP/1.1)
            http-0.9               | GET /\\r\\n\\r\\n                                                             | HTTP/0.9 request (no HTTP version on the request line)
            control-in-target      | GET /a\\u0001b HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                | invalid character 0x01 in the request target
            cl-and-te              | POST / HTTP/1.1\\r\\nContent-Length: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | both Content-Length and Transfer-Encoding (RFC 9112 section 6.1)
            two-cl                 | POST / HTTP/1.1\\r\\nContent-Length: 1\\r\\ncontent-length: 1\\r\\n\\r\\nx       | more than one Content-Length field
            cl-list                | POST / HTTP/1.1\\r\\nContent-Length: 1, 1\\r\\n\\r\\nx                         | Content-Length is not a plain number (RFC 9110 section 8.6)
            cl-sign                | POST / HTTP/1.1\\r\\nContent-Length: +1\\r\\n\\r\\nx                           | Content-Length is not a plain number (RFC 9110 section 8.6)
            te-xchunked            | POST / HTTP/1.1\\r\\nTransfer-Encoding: xchunked\\r\\n\\r\\n                   | Transfer-Encoding other than exactly 'chunked'
            te-gzip-chunked        | POST / HTTP/1.1\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n              | Transfer-Encoding other than exactly 'chunked'
            te-http10              | POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n                    | Transfer-Encoding in an HTTP/1.0 message (RFC 9112 section 6.1)
            two-hosts              | GET / HTTP/1.1\\r\\nHost: a\\r\\nHOST: b\\r\\n\\r\\n                            | more than one Host field (RFC 9112 section 3.2)
            """)
    void headViolations(String name, String wire, String reason) {
        assertThat(request(unescape(wire))).isEqualTo(new Verdict(reason, 1, HeadScanner.Part.HEAD));
    }

    @Test
    void bodyViolationsBelongToTheRequestWhoseBodyTheyAreIn() {
        String ok = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        String chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        assertThat(request(ok + chunked + "0x5\r\nhello\r\n0\r\n\r\n"))
                .isEqualTo(new Verdict("invalid character 0x78 in a chunk size", 2, HeadScanner.Part.BODY));
        assertThat(request(chunked + "5\r\nhelloX0\r\n\r\n"))
                .isEqualTo(new Verdict("chunk data longer than its chunk size, or not followed by CRLF", 1, HeadScanner.Part.BODY));
        assertThat(request(chunked + "FFFFFFFFF\r\n"))
                .isEqualTo(new Verdict("chunk size too large", 1, HeadScanner.Part.BODY));
        assertThat(request(chunked + "5\r\nhello\r\n0\r\nX: a\r\n b\r\n\r\n"))
                .isEqualTo(new Verdict("obs-fold: a trailer line starts with whitespace (line folding is obsolete, RFC 9112 section 5.2)",
                        1, HeadScanner.Part.BODY));
        assertThat(request(ok + ok + "GET / HTTP/1.1\r\nHost: a\r\n x\r\n\r\n"))
                .isEqualTo(new Verdict("obs-fold: a header line starts with whitespace (line folding is obsolete, RFC 9112 section 5.2)",
                        3, HeadScanner.Part.HEAD));
    }

    @Test
    void headsLongerThanTheScratchArrayAreScannedAcrossCopies() {
        String longField = "X-Long: " + "v".repeat(5000) + "\r\n";
        assertThat(request("GET / HTTP/1.1\r\nHost: a\r\n" + longField + "Content-Length: 3\r\n\r\nabc"
                + "GET /" + "p".repeat(4200) + " HTTP/1.1\r\nHost: a\r\n" + longField + "X: y\r\n z\r\n\r\n"))
                .isEqualTo(new Verdict("obs-fold: a header line starts with whitespace (line folding is obsolete, RFC 9112 section 5.2)",
                        2, HeadScanner.Part.HEAD));
    }

    @Test
    void responsesAreScannedUpToTheFinalHeadUntilRearmed() {
        assertThat(scan(HeadScanner::forResponses, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n x:\r\n")).isNull();
        assertThat(scan(HeadScanner::forResponses, "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nX : y\r\n\r\n"))
                .isEqualTo(new Verdict("whitespace between a header field name and the colon", 2, HeadScanner.Part.HEAD));
        assertThat(scan(HeadScanner::forResponses, "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")).as("no reason phrase").isNull();

        HeadScanner s = HeadScanner.forResponses();
        s.scan(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", StandardCharsets.ISO_8859_1));
        s.scan(Unpooled.copiedBuffer("\u0001\u0002\u0003", StandardCharsets.ISO_8859_1));
        assertThat(s.violation()).as("bodies are not scanned").isNull();
        s.rearm();
        s.scan(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat(s.violation(2, HeadScanner.Part.HEAD)).startsWith("obs-fold");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            status-1000       | HTTP/1.1 1000 OK\\r\\n\\r\\n            | malformed status line after the status code
            status-099        | HTTP/1.1 099 OK\\r\\n\\r\\n             | malformed status code (expected 3 digits, 100-599)
            reason-control    | HTTP/1.1 200 O\\u0001K\\r\\n\\r\\n      | control character 0x01 in the reason phrase
            http-2            | HTTP/2 200 OK\\r\\n\\r\\n               | unsupported or malformed HTTP version (allowed: HTTP/1.0, HTTP/1.1)
            space-in-name     | HTTP/1.1 200 OK\\r\\nX A: b\\r\\n\\r\\n | whitespace between a header field name and the colon
            te-gzip           | HTTP/1.1 200 OK\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n | Transfer-Encoding other than exactly 'chunked'
            """)
    void responseViolations(String name, String wire, String reason) {
        assertThat(scan(HeadScanner::forResponses, unescape(wire))).isEqualTo(new Verdict(reason, 1, HeadScanner.Part.HEAD));
    }

    static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'r' -> sb.append('\r');
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> sb.append('\\').append(n);
            }
        }
        return sb.toString();
    }
}
