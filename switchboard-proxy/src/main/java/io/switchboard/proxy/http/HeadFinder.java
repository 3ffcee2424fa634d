package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * Finds the heads in the bytes of one {@link Http1Decoder}'s connection: where a head begins (after the
 * empty lines allowed before it), where it ends (its empty line), and what of it is kept when it does not
 * arrive in one read. {@link HeadParser} then parses the head's bytes, which are copied once (a few
 * hundred bytes; the parser reads a plain array).
 *
 * <p>A head that does not arrive in one read is collected in one array of the connection's, grown
 * geometrically, and the search for its end resumes where the last read's stopped: a client sending a
 * byte at a time costs linear work, not a rescan per byte. A head that can never fit the limits (its
 * start line or the whole head too long) is refused as soon as that is known, and so is a request whose
 * first byte cannot begin a method.
 *
 * <p>Static methods over the decoder's own fields ({@link Http1Decoder#pending} and the search's
 * position): no object of its own per connection, so an idle connection's heap does not grow. They write
 * only those fields; the decoder's state is set by the decoder alone (a head is refused through {@link
 * Http1Decoder#refuse}, a complete one is returned to it).
 *
 * <p>Threading: the decoder's channel's event loop.
 */
final class HeadFinder {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    /** Per event loop: heads that arrive in one read are copied here to find their end. */
    private static final FastThreadLocal<byte[][]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[][] initialValue() {
            return new byte[][] {new byte[4096]};
        }
    };

    private HeadFinder() {}

    /**
     * The bytes of the head that begins (or began in an earlier read) at {@code in}'s reader index, up to
     * and including its empty line, with {@code in} skipped past them; null when more bytes are needed
     * (they are kept in {@code d}) or the head was refused.
     */
    static byte[] head(Http1Decoder d, ChannelHandlerContext ctx, ByteBuf in) {
        int max = d.limits.maxStartLine() + d.limits.maxHeaderBytes() + 2;
        if (d.pending != null) return moreHead(d, ctx, in, max);
        // Empty lines before a message are ignored (RFC 9112 section 2.2).
        int r = in.readerIndex();
        int w = in.writerIndex();
        while (r < w) {
            byte b = in.getByte(r);
            if (b != CR && b != LF) break;
            r++;
        }
        in.readerIndex(r);
        if (r == w) return null;
        if (d.requests) {
            if (d.readNanos == 0) d.readNanos = System.nanoTime();
            d.headStartNanos = d.readNanos;
            // Only the first byte is checked here (the parser checks the rest): one that cannot begin a
            // method is refused at once instead of waiting for a head that will never come.
            byte first = in.getByte(r);
            if (!HeadParser.isTchar(first)) {
                d.refuse(ctx, in, Head.failed(true, 400, notARequest(first)));
                return null;
            }
        }
        d.scanFrom = 0;
        d.headLineStart = 0;
        d.firstLineEnd = -1;
        int avail = w - r;
        int n = Math.min(avail, 1024);
        byte[] a = scratch(n, 0);
        in.getBytes(r, a, 0, n);
        d.headBytesScanned += n;
        int end;
        while ((end = headEnd(d, a, n)) < 0 && n < avail && n <= max) {
            int more = Math.min(avail, Math.min(n * 4, max + 1));
            a = scratch(more, n);
            in.getBytes(r + n, a, n, more - n);
            d.headBytesScanned += more - n;
            n = more;
        }
        if (end < 0) {
            // n == avail here unless the head is already too large
            if (!refuseTooLong(d, ctx, in, n, max) && !refuseBadLine(d, ctx, in, a, 0)) {
                d.pending = new byte[Math.min(Math.max(2 * n, 1024), max + 1)];
                System.arraycopy(a, 0, d.pending, 0, n);
                d.headBytesScanned += n;
                d.pendingLength = n;
                in.skipBytes(n);
                if (d.frontend != null) ClientDeadlines.headPending(d.frontend, d.headStartNanos);
            }
            return null;
        }
        byte[] bytes = Arrays.copyOf(a, end);
        in.skipBytes(end);
        return bytes;
    }

    /** The head begun in an earlier read goes on in {@code in}: only the new bytes are copied and searched. */
    private static byte[] moreHead(Http1Decoder d, ChannelHandlerContext ctx, ByteBuf in, int max) {
        int had = d.pendingLength;
        int checked = d.headLineStart;   // the lines before it were checked by refuseBadLine
        int take = Math.min(in.readableBytes(), max + 1 - had);
        if (had + take > d.pending.length) d.pending = Arrays.copyOf(d.pending, Math.min(Math.max(2 * d.pending.length, had + take), max + 1));
        in.getBytes(in.readerIndex(), d.pending, had, take);
        d.headBytesScanned += take;
        d.pendingLength = had + take;
        int end = headEnd(d, d.pending, d.pendingLength);
        if (end < 0) {
            in.skipBytes(take);
            if (refuseTooLong(d, ctx, in, d.pendingLength, max) || refuseBadLine(d, ctx, in, d.pending, checked)) d.pending = null;
            return null;
        }
        in.skipBytes(end - had);
        byte[] bytes = Arrays.copyOf(d.pending, end);
        d.pending = null;
        return bytes;
    }

    /** Refuses an incomplete head of {@code n} bytes that can never become acceptable; false to wait for more. */
    private static boolean refuseTooLong(Http1Decoder d, ChannelHandlerContext ctx, ByteBuf in, int n, int max) {
        int startLine = d.firstLineEnd < 0 ? n : d.firstLineEnd + 1;
        String why;
        int status;
        if (startLine > d.limits.maxStartLine()) {
            why = (d.requests ? "request" : "status") + " line longer than " + d.limits.maxStartLine() + " bytes";
            status = 414;
        } else if (n > max) {
            why = (d.requests ? "request" : "response") + " header larger than " + d.limits.maxHeaderBytes() + " bytes";
            status = 431;
        } else {
            return false;
        }
        d.refuse(ctx, in, Head.failed(d.requests, d.requests ? status : 502, why));
        return true;
    }

    /**
     * Refuses an incomplete head at once when one of its whole lines (from {@code from} to {@link
     * Http1Decoder#headLineStart}) has a byte {@link HeadParser} refuses wherever it stands: a control
     * character other than HTAB, DEL, or a CR or LF that is not part of a line's CRLF. Without this such
     * a head would wait for an end that may never come (a status line ended by a lone CR, "\r\r\n" as
     * the last line), answered 408 or 504 when a timeout ends it; HAProxy and NGINX parse as the bytes
     * come and answer 400 (502 for a response) at once. The answer is the parser's own, on the lines so
     * far and an empty line: the same status and cause as when the whole head arrives in one read. Runs
     * only when a head spans reads, over each line once; false to wait for more.
     */
    private static boolean refuseBadLine(Http1Decoder d, ChannelHandlerContext ctx, ByteBuf in, byte[] a, int from) {
        int to = d.headLineStart;
        d.headBytesScanned += Math.max(0, to - from);
        if (!hasRefusedByte(a, from, to)) return false;
        byte[] lines = Arrays.copyOf(a, to + 2);
        lines[to] = CR;
        lines[to + 1] = LF;
        Head h = HeadParser.parse(lines, to + 2, d.requests, d.limits);
        if (!h.failed()) return false;
        d.refuse(ctx, in, h);
        return true;
    }

    /** Whether the whole lines in {@code a[from, to)} have a byte the parser refuses anywhere in a head. */
    static boolean hasRefusedByte(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = a[i];
            if (HeadParser.isValueChar(c)) continue;
            if (c == CR ? a[i + 1] != LF : c != LF || i == 0 || a[i - 1] != CR) return true;
        }
        return false;
    }

    /**
     * The index after the empty line that ends the head in {@code a[0, n)}, or -1. Resumes the search
     * where the previous call for the same head stopped ({@link Http1Decoder#scanFrom}, {@link
     * Http1Decoder#headLineStart}).
     */
    private static int headEnd(Http1Decoder d, byte[] a, int n) {
        d.headBytesScanned += n - d.scanFrom;
        int lf;
        while ((lf = HeadParser.find(a, d.scanFrom, n, LF)) >= 0) {
            d.scanFrom = lf + 1;
            if (d.headLineStart == 0) {
                d.firstLineEnd = lf;
            } else {
                int len = lf - d.headLineStart;
                if (len == 0 || (len == 1 && a[d.headLineStart] == CR)) return lf + 1;
            }
            d.headLineStart = lf + 1;
        }
        d.scanFrom = n;
        return -1;
    }

    /** Why a request whose first byte is {@code b} is refused. */
    static String notARequest(byte b) {
        if (b == 0x16) {
            return "TLS on a plain-text listener (the first byte is 0x16, a TLS handshake record: this listener speaks plain HTTP)";
        }
        return "request line starts with " + HeadParser.hex(b) + ": not an HTTP request (a method is a token, RFC 9110 section 9.1)";
    }

    /** The thread's scratch array, at least {@code n} long, keeping its first {@code keep} bytes. */
    private static byte[] scratch(int n, int keep) {
        byte[][] holder = SCRATCH.get();
        byte[] a = holder[0];
        if (a.length < n) {
            byte[] bigger = new byte[Math.max(n, a.length * 2)];
            System.arraycopy(a, 0, bigger, 0, keep);
            holder[0] = a = bigger;
        }
        return a;
    }
}
