package io.switchboard.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.config.TcpValidateConfig;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code validate: line} on a {@code mode: tcp} listener: every client line of the session, not only the
 * first, is at most {@code max-line} bytes (its LF included) and, when {@code first-words} is set, starts
 * with one of them (ASCII case ignored; the word ends at a space, tab, CR or LF; blank lines pass). Only
 * whole lines that passed go on to the session, unchanged; the unfinished last line is held (at most
 * {@code max-line} bytes, so memory is bounded). When {@code DATA} is among the first words, a line
 * {@code DATA} starts an SMTP message body whose lines are not checked for a first word, up to the line
 * {@code .}. The session is not held back: a server that speaks first (SMTP, POP3) greets the client at once.
 *
 * <p>A violation: the lines before it go on, the {@code error-line} (if any) goes to the client, the
 * connection is closed, counted and logged through {@link ValidationFailures}.
 *
 * <p>Threading: the client channel's event loop.
 */
final class LineValidator extends TextValidator {
    private boolean inBody;

    LineValidator(TcpValidateConfig config, ValidationFailures failures) {
        super(config, failures, "line");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused || !(msg instanceof ByteBuf b)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf cum = b;
        if (partial != null) {
            partial.writeBytes(b);
            b.release();
            cum = partial;
            partial = null;
        }
        int start = cum.readerIndex();
        int end = cum.writerIndex();
        String violation = null;
        int lineStart = start;
        while (lineStart < end) {
            int nl = cum.indexOf(lineStart, end, (byte) '\n');
            if (nl < 0) break;
            violation = check(cum, lineStart, nl + 1);
            if (violation != null) break;
            lineStart = nl + 1;
        }
        if (violation == null && end - lineStart > maxLine) {
            violation = "a line longer than " + maxLine + " bytes (" + (end - lineStart) + " so far without its end)";
        }
        if (lineStart > start) ctx.fireChannelRead(cum.retainedSlice(start, lineStart - start));
        if (violation != null) {
            cum.release();
            refuse(ctx, violation);
            return;
        }
        if (lineStart < end) {
            partial = ctx.alloc().heapBuffer(Math.max(256, end - lineStart));
            partial.writeBytes(cum, lineStart, end - lineStart);
        }
        cum.release();
    }

    /** @return what is wrong with the line {@code [from, to)} (LF included), or null */
    private String check(ByteBuf b, int from, int to) {
        int len = to - from;
        if (len > maxLine) return "a line of " + len + " bytes (max-line: " + maxLine + ")";
        if (words.isEmpty()) return null;
        int w = from;
        while (w < to) {
            byte c = b.getByte(w);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') break;
            w++;
        }
        if (inBody) {
            if (w - from == 1 && b.getByte(from) == '.' && (w == to - 1 || b.getByte(w) == '\r' && w == to - 2)) inBody = false;
            return null;
        }
        if (w == from) return null; // blank line
        if (w - from > longestWord) return "first word of " + (w - from) + " bytes is not one of " + words;
        String word = b.toString(from, w - from, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
        if (!words.contains(word)) return "first word '" + printable(word) + "' is not one of " + words;
        if (word.equals("DATA")) inBody = true;
        return null;
    }
}
