package io.switchboard.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.config.TcpValidateConfig;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code validate: resp} on a {@code mode: tcp} listener: the client speaks Redis's protocol, as
 * redis-cli, redis-benchmark and the client libraries do. Each command is either a RESP array of bulk
 * strings ({@code *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n}) or an inline line ({@code PING\r\n}), the
 * two forms the Redis server itself reads. Checked, for every command of the session: the array and bulk
 * headers are well formed ({@code *} then a count, {@code $} then a length of at most 512 MiB, Redis's
 * own {@code proto-max-bulk-len}, each ended by CR LF, each bulk string followed by CR LF); header lines
 * and inline lines are at most {@code max-line} bytes; with {@code first-words}, the command name (the
 * array's first bulk string, or the inline line's first word) is one of them, ASCII case ignored.
 *
 * <p>Bulk strings are binary and are not read beyond their length: a value may hold any byte, CR LF
 * included, and is forwarded as it arrives. A command's bytes are held only until its name has passed
 * (at most two header lines and the name), so memory stays bounded by {@code max-line}; a refused command
 * reaches the server not at all. A violation: the commands before it go on, the {@code error-line} (Redis's
 * {@code -ERR ...}) goes to the client, the connection is closed, counted and logged through
 * {@link ValidationFailures}.
 *
 * <p>Threading: the client channel's event loop.
 */
final class RespValidator extends TextValidator {
    /** Redis's default {@code proto-max-bulk-len}. */
    static final long MAX_BULK = 512L << 20;

    private enum State { START, INLINE, ARRAY_HEADER, HEADER_LF, DOLLAR, BULK_HEADER, BULK, BULK_CR, BULK_LF }

    private State state = State.START;
    /** Bytes of the current header or inline line so far. */
    private int lineLength;
    /** The number being read in a header; -1: no digit yet. */
    private long number;
    private boolean negative;
    private boolean arrayHeader;
    private long argumentsLeft;
    /** Index of the bulk string being read in the current array: 0 is the command name. */
    private long argument;
    private long bulkLeft;
    private final StringBuilder name = new StringBuilder();
    private boolean nameDone;
    /** In a RESP array (not an inline line): once its name passed, its bytes stream on unheld. */
    private boolean inArray;

    RespValidator(TcpValidateConfig config, ValidationFailures failures) {
        super(config, failures, "resp");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused || !(msg instanceof ByteBuf b)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf cum = b;
        int parsedFrom = b.readerIndex();
        if (partial != null) {
            // The held bytes were parsed already: parsing goes on where the new ones start.
            parsedFrom = partial.writerIndex();
            partial.writeBytes(b);
            b.release();
            cum = partial;
            partial = null;
        }
        int start = cum.readerIndex();
        int end = cum.writerIndex();
        int safe = start;
        String violation = null;
        int i = parsedFrom;
        while (i < end) {
            if (state == State.BULK) {
                int n = (int) Math.min(bulkLeft, end - i);
                if (argument == 0 && !nameDone && !words.isEmpty()) name.append(cum.toString(i, n, StandardCharsets.ISO_8859_1));
                bulkLeft -= n;
                i += n;
                if (bulkLeft == 0) state = State.BULK_CR;
            } else {
                violation = step(cum.getByte(i));
                if (violation != null) break;
                i++;
            }
            if (state == State.START || nameDone && inArray) safe = i;
        }
        if (safe > start) ctx.fireChannelRead(cum.retainedSlice(start, safe - start));
        if (violation != null) {
            cum.release();
            refuse(ctx, violation);
            return;
        }
        if (safe < end) {
            partial = ctx.alloc().heapBuffer(Math.max(256, end - safe));
            partial.writeBytes(cum, safe, end - safe);
        }
        cum.release();
    }

    /** Takes one byte outside a bulk string's payload; @return what is wrong, or null. */
    private String step(byte c) {
        switch (state) {
            case START -> {
                name.setLength(0);
                nameDone = false;
                lineLength = 0;
                inArray = c == '*';
                if (c == '*') {
                    lineLength = 1;
                    number = -1;
                    negative = false;
                    arrayHeader = true;
                    state = State.ARRAY_HEADER;
                    return null;
                }
                state = State.INLINE;
                return step(c);
            }
            case INLINE -> {
                if (++lineLength > maxLine) return "an inline command longer than " + maxLine + " bytes";
                boolean end = c == ' ' || c == '\t' || c == '\r' || c == '\n';
                if (!nameDone && !end) {
                    if (words.isEmpty()) return null; // nothing to compare the name with: not kept
                    if (name.length() >= longestWord) {
                        return "inline command '" + printable(name + "...") + "' is not one of " + words;
                    }
                    name.append((char) (c & 0xff));
                } else if (!nameDone) {
                    nameDone = true;
                    String why = checkName();
                    if (why != null) return why;
                }
                if (c == '\n') state = State.START;
                return null;
            }
            case ARRAY_HEADER, BULK_HEADER -> {
                if (++lineLength > maxLine) return "a header line longer than " + maxLine + " bytes";
                if (c == '\r') {
                    if (number < 0) return "a " + (arrayHeader ? "'*'" : "'$'") + " header without a number";
                    state = State.HEADER_LF;
                } else if (c == '-' && number < 0 && !negative) {
                    negative = true;
                } else if (c >= '0' && c <= '9') {
                    number = Math.max(number, 0) * 10 + (c - '0');
                    long max = arrayHeader ? Integer.MAX_VALUE : MAX_BULK;
                    if (number > max) return (arrayHeader ? "an array of more than " : "a bulk string longer than ") + max;
                } else {
                    return "byte " + describe(c) + " in a " + (arrayHeader ? "'*'" : "'$'") + " header";
                }
                return null;
            }
            case HEADER_LF -> {
                if (c != '\n') return "CR not followed by LF after a header";
                if (arrayHeader) {
                    if (negative || number == 0) {
                        state = State.START; // an empty or null array: Redis skips it
                    } else {
                        argumentsLeft = number;
                        argument = 0;
                        nameDone = words.isEmpty(); // no name to check: nothing to hold
                        state = State.DOLLAR;
                    }
                } else {
                    if (negative) return "a negative bulk string length in a command";
                    bulkLeft = number;
                    if (argument == 0 && !words.isEmpty() && bulkLeft > longestWord) {
                        return "a command name of " + bulkLeft + " bytes is not one of " + words;
                    }
                    state = bulkLeft == 0 ? State.BULK_CR : State.BULK;
                }
                return null;
            }
            case DOLLAR -> {
                if (c != '$') return "byte " + describe(c) + " where a bulk string ('$') must start";
                lineLength = 1;
                number = -1;
                negative = false;
                arrayHeader = false;
                state = State.BULK_HEADER;
                return null;
            }
            case BULK_CR -> {
                if (c != '\r') return "a bulk string not followed by CR LF";
                state = State.BULK_LF;
                return null;
            }
            case BULK_LF -> {
                if (c != '\n') return "a bulk string not followed by CR LF";
                if (argument == 0 && !nameDone) {
                    String why = checkName();
                    if (why != null) return why;
                    nameDone = true;
                }
                argument++;
                state = --argumentsLeft == 0 ? State.START : State.DOLLAR;
                return null;
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private String checkName() {
        if (words.isEmpty()) return null;
        if (name.isEmpty()) return inArray ? "an empty command name" : null; // an empty inline line: Redis ignores it
        String word = name.toString().toUpperCase(Locale.ROOT);
        return words.contains(word) ? null : "command '" + printable(word) + "' is not one of " + words;
    }

    private static String describe(byte c) {
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format(Locale.ROOT, "0x%02x", c & 0xff);
    }
}
