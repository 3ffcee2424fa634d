package io.switchboard.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class AccessRecordTest {
    private static final long T = 1_795_000_000_123L;

    private static AccessRecord record(String uri, String referer, String agent, long bytesOut, String cause) {
        return new AccessRecord(T, "127.0.0.1", "web", "GET", uri, "HTTP/1.1", 200, "app/alpha", 0, bytesOut, 1_234, 1,
                cause, referer, agent);
    }

    private static String clfTime() {
        return DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
                .format(ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(T), ZoneId.systemDefault()));
    }

    @Test
    void combinedIsTheNcsaCombinedFormat() {
        assertThat(record("/a?b=1", "http://example.com/", "curl/8.5.0", 6, "-").combined()).isEqualTo(
                "127.0.0.1 - - [" + clfTime() + "] \"GET /a?b=1 HTTP/1.1\" 200 6 \"http://example.com/\" \"curl/8.5.0\"");
        // no headers, no body: "-" as Apache writes them
        assertThat(new AccessRecord(T, "::1", "web", "GET", "/", "HTTP/1.0", 503, "-", 0, 0, 10, 0, "no back end eligible")
                .combined()).isEqualTo("::1 - - [" + clfTime() + "] \"GET / HTTP/1.0\" 503 - \"-\" \"-\"");
        // a request that never parsed
        assertThat(new AccessRecord(T, "10.0.0.1", "web", "-", "-", "-", 400, "-", 0, 11, 10, 0, "bad request").combined())
                .isEqualTo("10.0.0.1 - - [" + clfTime() + "] \"-\" 400 11 \"-\" \"-\"");
    }

    @Test
    void combinedEscapesQuotesAndControlCharacters() {
        assertThat(record("/\"x\\", "-", "evil\"\n\u0001", 1, "-").combined())
                .contains("\"GET /\\\"x\\\\ HTTP/1.1\"").endsWith("\"evil\\\"\\x0a\\x01\"").doesNotContain("\n");
    }

    @Test
    void jsonHasEveryFieldAndNullsForAbsentOnes() {
        assertThat(record("/a", "-", "ua \"q\"", 6, "-").json()).isEqualTo("{\"time\":\"2026-11-18T11:06:40.123Z\","
                + "\"client\":\"127.0.0.1\",\"listener\":\"web\",\"method\":\"GET\",\"uri\":\"/a\",\"protocol\":\"HTTP/1.1\","
                + "\"status\":200,\"pool\":\"app\",\"backend\":\"alpha\",\"bytes_in\":0,\"bytes_out\":6,\"duration_ms\":1.234,"
                + "\"retries\":1,\"cause\":null,\"referer\":null,\"user_agent\":\"ua \\\"q\\\"\"}");
        assertThat(new AccessRecord(T, "::1", "web", "GET", "/\n", "HTTP/1.1", 503, "-", 0, 0, 10, 0, "no back end")
                .json()).contains("\"uri\":\"/\\n\"", "\"pool\":null", "\"backend\":null", "\"cause\":\"no back end\"");
    }

    @Test
    void theLogWritesTheChosenFormatOffTheCallersThread() {
        StringWriter out = new StringWriter();
        AccessLog log = AccessLog.async(out, false, AccessLog.Format.JSON);
        log.log(record("/j", "-", "-", 2, "-"));
        log.close();
        assertThat(out.toString()).startsWith("{\"time\":").endsWith("}\n");
        assertThat(AccessLog.Format.parse("Combined")).isEqualTo(AccessLog.Format.COMBINED);
        assertThat(AccessLog.Format.SWITCHBOARD.render(record("/s", "-", "-", 2, "-"))).contains("app/alpha in=0 out=2");
        assertThatThrownBy(() -> AccessLog.Format.parse("xml")).hasMessage("unknown access log format 'xml' (allowed: combined, json, switchboard)");
    }
}
