package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * The chunked transfer coding of one message body (RFC 9112 section 7.1), read for {@link
 * Http1Decoder}: chunk-size lines and the CRLF after each chunk's data are checked byte by byte, chunk
 * data is passed on as retained slices of the read buffer (never copied), and the trailer section is
 * collected line by line, checked and passed on raw with the last piece.
 *
 * <p>What is refused: a size that is not hex or too large, white space after a size that no extension
 * follows, control characters in an extension, a size line or an extension over {@link #MAX_LINE}
 * bytes, data not followed by CRLF, a bare LF in the trailers, a malformed trailer field, trailers over
 * the head size limit. Then {@link #failure()} says why and nothing more is read.
 *
 * <p>Threading: one per decoder, on its channel's event loop.
 */
final class ChunkedBody {
    static final int MAX_LINE = 4096;
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private static final int SIZE = 0;
    private static final int SIZE_WS = 1;
    private static final int EXT = 2;
    private static final int SIZE_LF = 3;
    private static final int DATA = 4;
    private static final int DATA_CR = 5;
    private static final int DATA_LF = 6;
    private static final int TRAILER = 7;
    private static final int DONE = 8;

    /** A head only for checking trailer lines (nothing is recorded for trailers). */
    private static final Head TRAILER_CHECK = new Head(new byte[0], 0, true);

    private final int maxTrailerBytes;
    private int state = DONE;
    private long remaining;         // of the chunk's data
    private int digits;             // of the chunk size
    private int lineBytes;          // of the chunk-size line
    private byte[] trailer;         // trailer section being collected
    private int trailerLength;
    private int trailerLineStart;   // where the trailer line being collected starts
    private String failure;

    ChunkedBody(int maxTrailerBytes) {
        this.maxTrailerBytes = maxTrailerBytes;
    }

    /** A new chunked body starts. */
    void start() {
        state = SIZE;
        remaining = 0;
        digits = 0;
        lineBytes = 0;
        failure = null;
    }

    /** Why the body was refused, or null. */
    String failure() {
        return failure;
    }

    /**
     * Reads what it can of {@code in}: returns the next piece of the body (data, or the last piece with
     * the trailer lines), or null when the bytes read so far made none (framing, or a refusal: see
     * {@link #failure()}).
     */
    Body read(ByteBuf in) {
        while (in.isReadable() && failure == null) {
            switch (state) {
                case DATA -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    ByteBuf data = in.readRetainedSlice(n);
                    remaining -= n;
                    if (remaining == 0) state = DATA_CR;
                    return new Body(data, false, null, null);
                }
                case TRAILER -> {
                    Body last = trailer(in);
                    if (last != null) return last;
                }
                case DONE -> {
                    return null;
                }
                default -> framing(in);
            }
        }
        return null;
    }

    /** Chunk-size lines and the CRLF after chunk data, byte by byte, up to the next data or trailer. */
    private void framing(ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.readByte();
            switch (state) {
                case SIZE -> {
                    int d = hexDigit(b);
                    if (d >= 0) {
                        if (remaining > (Integer.MAX_VALUE >> 4)) {
                            fail("chunk size too large");
                            return;
                        }
                        remaining = remaining * 16 + d;
                        digits++;
                    } else if (digits == 0) {
                        fail(b == CR ? "empty chunk size" : "chunk size is not a hex number (invalid character " + HeadParser.hex(b) + ")");
                        return;
                    } else if (b == CR) {
                        state = SIZE_LF;
                    } else if (b == ';') {
                        state = EXT;
                    } else if (b == ' ' || b == '\t') {
                        state = SIZE_WS;
                    } else {
                        fail("invalid character " + HeadParser.hex(b) + " in a chunk size");
                        return;
                    }
                }
                case SIZE_WS -> {
                    // chunk-ext = *( BWS ";" ... ): whitespace after the size only before a ';'.
                    if (b == ';') {
                        state = EXT;
                    } else if (b != ' ' && b != '\t') {
                        fail("whitespace after a chunk size not followed by ';' and a chunk extension (RFC 9112 section 7.1.1)");
                        return;
                    } else if (++lineBytes > MAX_LINE) {
                        fail("chunk size line longer than " + MAX_LINE + " bytes");
                        return;
                    }
                }
                case EXT -> {
                    if (b == CR) {
                        state = SIZE_LF;
                    } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                        fail("control character " + HeadParser.hex(b) + " in a chunk extension");
                        return;
                    } else if (++lineBytes > MAX_LINE) {
                        fail("chunk extension longer than " + MAX_LINE + " bytes");
                        return;
                    }
                }
                case SIZE_LF -> {
                    if (b != LF) {
                        fail("chunk size line not ended by CRLF");
                        return;
                    }
                    if (remaining == 0) {
                        state = TRAILER;
                        trailerLength = 0;
                        trailerLineStart = 0;
                    } else {
                        state = DATA;
                    }
                    return;
                }
                case DATA_CR -> {
                    if (b != CR) {
                        fail("chunk data longer than its chunk size, or not followed by CRLF");
                        return;
                    }
                    state = DATA_LF;
                }
                case DATA_LF -> {
                    if (b != LF) {
                        fail("chunk data not followed by CRLF");
                        return;
                    }
                    start();
                }
                default -> {
                    return;
                }
            }
        }
    }

    /** The trailer section after the last chunk: the last piece once its empty line came, else null. */
    private Body trailer(ByteBuf in) {
        int r = in.readerIndex();
        int lf = in.indexOf(r, in.writerIndex(), LF);
        int n = (lf < 0 ? in.writerIndex() : lf + 1) - r;
        if (trailerLength + n > maxTrailerBytes + 2) {
            fail("trailer section larger than " + maxTrailerBytes + " bytes");
            return null;
        }
        if (trailer == null || trailer.length < trailerLength + n) {
            trailer = Arrays.copyOf(trailer == null ? new byte[256] : trailer, Math.max(256, (trailerLength + n) * 2));
        }
        in.readBytes(trailer, trailerLength, n);
        trailerLength += n;
        if (lf < 0) return null;
        int lineStart = trailerLineStart;
        trailerLineStart = trailerLength;
        int end = trailerLength - 1; // the LF
        if (end == lineStart || trailer[end - 1] != CR) {
            fail("bare LF in the trailer section");
            return null;
        }
        if (end - 1 == lineStart) { // the empty line: the message is complete
            byte[] fields = lineStart == 0 ? null : Arrays.copyOf(trailer, lineStart);
            trailer = null;
            state = DONE;
            return new Body(Unpooled.EMPTY_BUFFER, true, fields, null);
        }
        String why = HeadParser.fieldLine(TRAILER_CHECK, trailer, lineStart, end - 1, 0, true);
        if (why != null) fail(why);
        return null;
    }

    private void fail(String why) {
        failure = why;
        state = DONE;
        trailer = null;
    }

    private static int hexDigit(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }
}
