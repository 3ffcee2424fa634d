package io.switchboard.proxy.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.switchboard.config.ListenerConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestValidatorTest {
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
            a b                    | invalid character in Host
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
        assertThat(RequestValidator.checkHost(host == null ? "" : host)).isEqualTo(problem);
    }

    @Test
    void theDecodersFailurePlaceholderIsReplacedAndItsBufferReleased() {
        ListenerConfig l = new ListenerConfig("web", "127.0.0.1", 0, "app", Duration.ofSeconds(1), Duration.ofSeconds(1), 256, 1024);
        EmbeddedChannel ch = new EmbeddedChannel(new RequestValidator(l));
        FullHttpRequest invalid = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request", Unpooled.buffer(0));
        invalid.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("No colon found")));
        ch.writeInbound(invalid);
        HttpRequest passed = ch.readInbound();
        assertThat(passed).isNotInstanceOf(FullHttpRequest.class);
        assertThat(passed.decoderResult().cause()).hasMessage("No colon found");
        assertThat(invalid.refCnt()).isZero();
        assertThat(ch.finish()).isFalse();
    }
}
