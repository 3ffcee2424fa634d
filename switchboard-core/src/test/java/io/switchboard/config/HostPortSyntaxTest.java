package io.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortSyntaxTest {
    @ParameterizedTest
    @CsvSource({"127.0.0.1:80, 127.0.0.1, 80", "[::1]:8080, ::1, 8080", "app-1.internal:443, app-1.internal, 443",
            "app_1:80, app_1, 80", "web_2.compose_default:8080, web_2.compose_default, 8080", "localhost.:1, localhost., 1",
            "[2001:db8::1]:65535, 2001:db8::1, 65535", "' db:5432 ', db, 5432",
            "010.0.0.255:1, 010.0.0.255, 1"})
    void reads(String text, String host, int port) {
        assertThat(HostPortSyntax.parse(text)).isEqualTo(new HostPort(host, port));
    }

    @Test
    void writesWhatItReads() {
        assertThat(HostPortSyntax.parse("[::1]:80")).hasToString("[::1]:80");
        assertThat(HostPortSyntax.parse("app_1:80")).hasToString("app_1:80");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "localhost|'localhost' has no port (expected host:port, e.g. 10.0.0.5:8080, app_1:80 or [::1]:80)",
            ":80|':80' has no host (expected host:port, e.g. 10.0.0.5:8080, app_1:80 or [::1]:80)",
            "[::1]|'[::1]' has no port (expected host:port, e.g. 10.0.0.5:8080, app_1:80 or [::1]:80)",
            "[::1:80|'[::1:80' has no closing ']' (expected host:port, e.g. 10.0.0.5:8080, app_1:80 or [::1]:80)",
            "::1:80|'::1:80': an IPv6 address needs brackets, e.g. [::1]:80",
            "[fe80::zz]:80|'[fe80::zz]:80': 'fe80::zz' is not a valid IPv6 address",
            "[1.2.3.4]:80|'[1.2.3.4]:80': '1.2.3.4' is not a valid IPv6 address",
            "h:http|'h:http': port 'http' is not a number (allowed: 1-65535)",
            "h:|'h:': port '' is not a number (allowed: 1-65535)",
            "h:99999999999|'h:99999999999': port 99999999999 is out of range (allowed: 1-65535)",
            "h:-1|'h:-1': port '-1' is not a number (allowed: 1-65535)",
            "h:0|'h:0': port 0 is out of range (allowed: 1-65535)",
            "h:65536|'h:65536': port 65536 is out of range (allowed: 1-65535)",
            "1.2.3:80|'1.2.3:80': '1.2.3' is not a valid IPv4 address",
            "256.0.0.1:80|'256.0.0.1:80': '256.0.0.1' is not a valid IPv4 address",
            "1.2.3.4.5:80|'1.2.3.4.5:80': '1.2.3.4.5' is not a valid IPv4 address",
            "1..3.4:80|'1..3.4:80': '1..3.4' is not a valid IPv4 address",
            "1.2.3.4.:80|'1.2.3.4.:80': '1.2.3.4.' is not a valid IPv4 address",
            ".1.2.3:80|'.1.2.3:80': '.1.2.3' is not a valid IPv4 address",
            "0001.2.3.4:80|'0001.2.3.4:80': '0001.2.3.4' is not a valid IPv4 address",
            "99999999999.2.3.4:80|'99999999999.2.3.4:80': '99999999999.2.3.4' is not a valid IPv4 address",
            "bad host:80|'bad host:80': 'bad host' is not a valid host name or IP address (a host name is dot-separated labels"
                    + " of letters, digits, '-' and '_')",
            "-app:80|'-app:80': '-app' is not a valid host name or IP address (a host name is dot-separated labels of letters,"
                    + " digits, '-' and '_')",
            "a..b:80|'a..b:80': 'a..b' is not a valid host name or IP address (a host name is dot-separated labels of letters,"
                    + " digits, '-' and '_')"})
    void refuses(String text, String message) {
        assertThatThrownBy(() -> HostPortSyntax.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void aLabelIsAtMost63Characters() {
        assertThat(HostPortSyntax.parse("a".repeat(63) + ":80").host()).hasSize(63);
        assertThatThrownBy(() -> HostPortSyntax.parse("a".repeat(64) + ":80")).hasMessageContaining("is not a valid host name");
    }

    @Test
    void hostsToBindTo() {
        assertThat(HostPortSyntax.host("0.0.0.0")).isEqualTo("0.0.0.0");
        assertThat(HostPortSyntax.host("::")).isEqualTo("::");
        assertThat(HostPortSyntax.host("[::1]")).isEqualTo("::1");
        assertThat(HostPortSyntax.host("localhost")).isEqualTo("localhost");
        assertThat(HostPortSyntax.host("app_1")).isEqualTo("app_1");
        assertThatThrownBy(() -> HostPortSyntax.host("::g")).hasMessage("'::g' is not a valid IPv6 address");
        assertThatThrownBy(() -> HostPortSyntax.host("127.0.0.1:80"))
                .hasMessage("'127.0.0.1:80' has a port; write the host here and the port under 'port'");
    }
}
