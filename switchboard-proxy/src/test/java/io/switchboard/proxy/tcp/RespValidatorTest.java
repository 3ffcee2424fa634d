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

/** {@link RespValidator} in an {@link EmbeddedChannel}: what passes, what is held, what closes. */
class RespValidatorTest {
    private static final String ERR = "-ERR command not allowed\r\n";
    private final ListenerCounters counters = new ListenerCounters("l");

    private EmbeddedChannel channel(int maxLine, List<String> words) {
        return new EmbeddedChannel(new RespValidator(TcpValidateConfig.resp(maxLine, words, ERR),
                new ValidationFailures("l", counters)));
    }

    private static void send(EmbeddedChannel ch, String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
    }

    private static String passed(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = ch.readInbound()) != null; ) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    private static String command(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        return sb.toString();
    }

    @Test
    void allowedArraysAndInlineCommandsPassUnchangedWithBinaryValues() {
        EmbeddedChannel ch = channel(64, List.of("SET", "get", "PING"));
        String set = command("set", "k", "a\r\nb\u0000*3\r\n$9\r\n"); // a value that looks like RESP and has CR LF
        String all = set + command("GET", "k") + "PING\r\n\r\n" + command("ping");
        send(ch, all);
        assertThat(passed(ch)).isEqualTo(all);
        assertThat(ch.isOpen()).isTrue();
        assertThat(counters.validationFailures()).isZero();
    }

    @Test
    void aCommandSplitAnywhereIsHeldOnlyUntilItsNamePassed() {
        EmbeddedChannel ch = channel(64, List.of("SET"));
        String set = command("SET", "key", "0123456789");
        int nameEnd = set.indexOf("SET\r\n") + 5;
        for (int i = 0; i < set.length(); i++) {
            send(ch, set.substring(i, i + 1));
            // Nothing before the name is known good; after it, every byte goes on as it comes.
            assertThat(passed(ch)).isEqualTo(i + 1 < nameEnd ? "" : i + 1 == nameEnd ? set.substring(0, nameEnd) : set.substring(i, i + 1));
        }
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aCommandNotAllowedClosesWithRedissErrorAndNothingOfItIsForwarded() {
        EmbeddedChannel ch = channel(64, List.of("GET", "SET"));
        send(ch, command("GET", "k") + command("FLUSHALL") + command("GET", "k"));
        assertThat(passed(ch)).isEqualTo(command("GET", "k"));
        assertThat(written(ch)).isEqualTo(ERR);
        assertThat(ch.isOpen()).isFalse();
        assertThat(counters.validationFailures()).isEqualTo(1);
    }

    @Test
    void aNameLongerThanEveryWordIsRefusedAtItsHeader() {
        EmbeddedChannel ch = channel(64, List.of("GET"));
        send(ch, "*1\r\n$100000\r\n");
        assertThat(passed(ch)).isEmpty();
        assertThat(written(ch)).isEqualTo(ERR);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void anInlineCommandNotAllowedIsRefused() {
        EmbeddedChannel ch = channel(64, List.of("PING"));
        send(ch, "PING\r\nDEBUG SEGFAULT\r\n");
        assertThat(passed(ch)).isEqualTo("PING\r\n");
        assertThat(written(ch)).isEqualTo(ERR);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void malformedFramingIsRefused() {
        for (String bad : List.of("*2\r\n$3\r\nGET\r\n:1\r\n", "*1\r\n$3\r\nGETX\r\n", "*x\r\n", "*1\r\n$-1\r\n", "*1\r\n$\r\n",
                "*1\r\n$3\rX", "*1\r\n$" + (RespValidator.MAX_BULK + 1) + "\r\n")) {
            EmbeddedChannel ch = channel(64, List.of());
            send(ch, bad);
            assertThat(written(ch)).as(bad).isEqualTo(ERR);
            assertThat(ch.isOpen()).as(bad).isFalse();
        }
    }

    @Test
    void headerAndInlineLinesAreBoundedByMaxLineButValuesAreNot() {
        EmbeddedChannel ch = channel(16, List.of());
        String big = command("SET", "k", "x".repeat(1000));
        send(ch, big);
        assertThat(passed(ch)).isEqualTo(big);
        send(ch, "SET k 0123456789\r\n"); // 18 bytes inline
        assertThat(passed(ch)).isEmpty();
        assertThat(written(ch)).isEqualTo(ERR);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void withoutWordsAnArraysBytesStreamOnAtOnce() {
        EmbeddedChannel ch = channel(64, List.of());
        send(ch, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab");
        assertThat(passed(ch)).isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab");
        send(ch, "cde\r\n");
        assertThat(passed(ch)).isEqualTo("cde\r\n");
    }
}
