package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Durations, sizes, addresses and spelling suggestions: the small parsers the loader is built on. */
class ValueSyntaxTest {
    @ParameterizedTest
    @CsvSource({"0, 0", "500ms, 500", "2s, 2000", "1.5s, 1500", "1m, 60000", "1h, 3600000", "1d, 86400000",
            "1m30s, 90000", "2S, 2000", "' 10s ', 10000"})
    void durations(String text, long millis) {
        assertThat(DurationSyntax.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "30|'30' has no unit (write 30s or 30ms)",
            "2x|'2x' is not a duration (write e.g. 500ms, 2s, 1m, 1h or 1m30s)",
            "-1s|'-1s' is negative (durations are 0 or more)",
            "0.5ms|'0.5ms' is finer than a millisecond",
            "400d|'400d' is too long (at most 365d)"})
    void badDurations(String text, String message) {
        assertThatThrownBy(() -> DurationSyntax.parse(text)).hasMessage(message);
    }

    @Test
    void durationFormatIsShortAndExact() {
        assertThat(List.of(Duration.ZERO, Duration.ofMillis(1500), Duration.ofSeconds(120), Duration.ofHours(2), Duration.ofSeconds(90)))
                .extracting(DurationSyntax::format).containsExactly("0s", "1500ms", "2m", "2h", "90s");
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "100, 100", "8k, 8192", "8K, 8192", "8kb, 8192", "8KiB, 8192", "10m, 10485760", "1g, 1073741824",
            "1.5k, 1536", "512b, 512"})
    void sizes(String text, long bytes) {
        assertThat(SizeSyntax.parse(text)).isEqualTo(bytes);
    }

    @Test
    void badSizes() {
        assertThatThrownBy(() -> SizeSyntax.parse("10 MB/s")).hasMessage("'10 MB/s' is not a size (write bytes, or e.g. 8k, 10m, 1g)");
        assertThatThrownBy(() -> SizeSyntax.parse("1.3k")).hasMessage("'1.3k' is not a whole number of bytes");
        assertThatThrownBy(() -> SizeSyntax.parse("99999999999g")).hasMessage("'99999999999g' is too large");
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1:80, 127.0.0.1, 80", "[::1]:8080, ::1, 8080", "app-1.internal:443, app-1.internal, 443",
            "web_2:80, web_2, 80", "[2001:db8::1]:65535, 2001:db8::1, 65535"})
    void hostPorts(String text, String host, int port) {
        assertThat(HostPort.parse(text)).isEqualTo(new HostPort(host, port));
    }

    @Test
    void hostPortToStringBracketsIpv6() {
        assertThat(HostPort.parse("[::1]:80")).hasToString("[::1]:80");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "localhost|'localhost' has no port (expected host:port, e.g. 10.0.0.5:8080 or [::1]:80)",
            ":80|':80' has no host (expected host:port, e.g. 10.0.0.5:8080 or [::1]:80)",
            "[::1:80|'[::1:80' has no closing ']' (expected host:port, e.g. 10.0.0.5:8080 or [::1]:80)",
            "[fe80::zz]:80|'[fe80::zz]:80': 'fe80::zz' is not a valid IPv6 address",
            "h:http|'h:http': port 'http' is not a number (expected host:port, e.g. 10.0.0.5:8080 or [::1]:80)",
            "1.2.3:80|'1.2.3:80': '1.2.3' is not a valid IPv4 address"})
    void badHostPorts(String text, String message) {
        assertThatThrownBy(() -> HostPort.parse(text)).hasMessage(message);
    }

    @Test
    void listenHosts() {
        assertThat(HostPort.parseHost("0.0.0.0")).isEqualTo("0.0.0.0");
        assertThat(HostPort.parseHost("::")).isEqualTo("::");
        assertThat(HostPort.parseHost("[::1]")).isEqualTo("::1");
        assertThat(HostPort.parseHost("localhost")).isEqualTo("localhost");
        assertThatThrownBy(() -> HostPort.parseHost("::g")).hasMessage("'::g' is not a valid IPv6 address");
    }

    @Test
    void spellingSuggestsOnlyWhatIsClose() {
        List<String> keys = List.of("name", "address", "weight", "state");
        assertThat(Spelling.closest("wieght", keys)).isEqualTo("weight");
        assertThat(Spelling.closest("adress", keys)).isEqualTo("address");
        assertThat(Spelling.closest("Name", keys)).isEqualTo("name");
        assertThat(Spelling.closest("colour", keys)).isNull();
        assertThat(Spelling.closest("max_body", List.of("max-body", "max-idle-per-backend"))).isEqualTo("max-body");
        assertThat(Spelling.closest("HEADER_TIMEOUT", List.of("header-timeout"))).isEqualTo("header-timeout");
    }
}
