package io.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteKeyTest {

    @Test
    void theFourKindsParseAndPrintBack() {
        assertThat(RouteKey.parse("path")).isSameAs(RouteKey.PATH);
        assertThat(RouteKey.parse("header:X-Tenant")).isEqualTo(new RouteKey(RouteKey.Kind.HEADER, "X-Tenant"));
        assertThat(RouteKey.parse(" cookie:sid ")).isEqualTo(new RouteKey(RouteKey.Kind.COOKIE, "sid"));
        assertThat(RouteKey.parse("query:user")).isEqualTo(new RouteKey(RouteKey.Kind.QUERY, "user"));
        for (String s : List.of("path", "header:X-Tenant", "cookie:sid", "query:user")) {
            assertThat(RouteKey.parse(s)).hasToString(s);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "uri | 'uri' is not a route key (allowed: path, header:NAME, cookie:NAME, query:NAME)",
            "header | 'header' names no header (write e.g. header:X-Tenant)",
            "query: | 'query:' names no query (write e.g. query:user)",
            "header:X Tenant | 'X Tenant' is not a valid header name (RFC 9110 token characters only)",
            "header:a/b | 'a/b' is not a valid header name (RFC 9110 token characters only)",
            "cookie:a\tb | 'a\tb' is not a valid cookie name (no spaces or control characters)",
    })
    void badKeysSayWhatIsAllowed(String text, String message) {
        assertThatThrownBy(() -> RouteKey.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void aForwardIsKeyedByThePathUnlessTold() {
        RouteAction.Forward f = RouteAction.Forward.to("app");
        assertThat(f.key()).isSameAs(RouteKey.PATH);
        assertThat(f.withKey(RouteKey.parse("header:X-Tenant"))).hasToString("pool app, key header:X-Tenant");
        assertThat(f.withKey(null).key()).isSameAs(RouteKey.PATH);
    }
}
