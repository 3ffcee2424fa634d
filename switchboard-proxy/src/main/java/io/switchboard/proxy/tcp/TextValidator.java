package io.switchboard.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.switchboard.config.TcpValidateConfig;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the text validators ({@code validate: line}, {@code validate: resp}) share: their settings
 * ({@code max-line}, {@code first-words} upper-cased, {@code error-line}), the unfinished input they
 * hold ({@link #partial}, at most about {@code max-line} bytes), and how a violation ends the session:
 * what passed before it goes on, the error line goes to the client, the connection is closed, counted
 * and logged through {@link ValidationFailures}. After that, client bytes are dropped.
 *
 * <p>Threading: the client channel's event loop.
 */
abstract class TextValidator extends ChannelInboundHandlerAdapter {
    protected final int maxLine;
    protected final Set<String> words;
    protected final int longestWord;
    private final byte[] errorLine;
    private final ValidationFailures failures;
    private final String validator;
    /** Client bytes held until they can be judged; null when none. */
    protected ByteBuf partial;
    protected boolean refused;

    TextValidator(TcpValidateConfig config, ValidationFailures failures, String validator) {
        this.maxLine = config.maxLine();
        this.words = config.firstWords().stream().map(w -> w.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.longestWord = words.stream().mapToInt(String::length).max().orElse(0);
        this.errorLine = config.errorLine() == null ? null : config.errorLine().getBytes(StandardCharsets.UTF_8);
        this.failures = failures;
        this.validator = validator;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!refused) ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    /** Ends the session for {@code why}: what passed before goes out, then the error line (if any), then the close. */
    protected final void refuse(ChannelHandlerContext ctx, String why) {
        refused = true;
        release();
        ctx.fireChannelReadComplete();
        failures.refused(ctx.channel(), validator, why);
        if (errorLine != null) ctx.writeAndFlush(Unpooled.wrappedBuffer(errorLine)).addListener(ChannelFutureListener.CLOSE);
        else ctx.close();
    }

    private void release() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }

    /** {@code s} with anything but printable ASCII as {@code ?}, for a log line. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        return sb.toString();
    }
}
