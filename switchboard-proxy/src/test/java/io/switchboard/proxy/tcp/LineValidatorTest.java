package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.switchboard.config.TcpValidateConfig;
import io.switchboard.proxy.ListenerCounters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LineValidator} in an {@link EmbeddedChannel}: what passes, what is held, what closes. */
class LineValidatorTest {
    private final ListenerCounters counters = new ListenerCounters("l");

    private EmbeddedChannel channel(int maxLine, List<String> words, String error) {
        return new EmbeddedChannel(new LineValidator(TcpValidateConfig.line(maxLine, words, error),
                new ValidationFailures("l", counters)));
    }

    private static void send(EmbeddedChannel ch, String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
    }

    private static String passed(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = ch.readInbound()) != null; ) {
            sb.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return sb.toString();
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            sb.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return sb.toString();
    }

    @Test
    void wholeAllowedLinesPassUnchangedAndAnUnfinishedOneWaits() {
        EmbeddedChannel ch = channel(64, List.of("EHLO", "mail", "DATA", "QUIT"), "500 5.5.2 bad\r\n");
        send(ch, "ehlo x\r\nMAIL FROM:<a@b>\r\nQU");
        assertThat(passed(ch)).isEqualTo("ehlo x\r\nMAIL FROM:<a@b>\r\n");
        send(ch, "IT\r\n");
        assertThat(passed(ch)).isEqualTo("QUIT\r\n");
        assertThat(ch.isOpen()).isTrue();
        assertThat(counters.validationFailures()).isZero();
    }

    @Test
    void theBodyAfterDataIsNotCheckedForWordsUpToTheDot() {
        EmbeddedChannel ch = channel(64, List.of("DATA", "QUIT"), "500 5.5.2 bad\r\n");
        send(ch, "DATA\r\nhello there\r\n.\r\nQUIT\r\n");
        assertThat(passed(ch)).isEqualTo("DATA\r\nhello there\r\n.\r\nQUIT\r\n");
        send(ch, "hello again\r\n");
        assertThat(passed(ch)).isEmpty();
        assertThat(written(ch)).isEqualTo("500 5.5.2 bad\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aWordNotAllowedClosesWithTheErrorLineAfterTheLinesBeforeIt() {
        EmbeddedChannel ch = channel(64, List.of("PING", "GET"), "-ERR unknown command\r\n");
        send(ch, "PING\r\nFLUSHALL\r\nGET k\r\n");
        assertThat(passed(ch)).isEqualTo("PING\r\n");
        assertThat(written(ch)).isEqualTo("-ERR unknown command\r\n");
        assertThat(ch.isOpen()).isFalse();
        assertThat(counters.validationFailures()).isEqualTo(1);
    }

    @Test
    void aLongLineClosesEvenBeforeItEnds() {
        EmbeddedChannel ch = channel(16, List.of(), "-ERR line too long\r\n");
        send(ch, "GET 0123456789\r\n"); // 16 bytes with CRLF: allowed
        assertThat(passed(ch)).isEqualTo("GET 0123456789\r\n");
        send(ch, "GET 01234567890123");
        assertThat(passed(ch)).isEmpty();
        assertThat(written(ch)).isEqualTo("-ERR line too long\r\n");
        assertThat(ch.isOpen()).isFalse();
    }
}
