package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@link Head} on to the other side as a proxy must (RFC 9110 section 7.6): the field lines
 * are copied as they arrived, in runs, except the hop-by-hop ones ({@code Connection} and every field
 * it names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer},
 * {@code Upgrade}, {@code Proxy-Authenticate}, {@code HTTP2-Settings}); then the proxy's own fields
 * are added: {@code X-Forwarded-For} (appended to), {@code -Proto}, {@code -Host} and {@code Via}
 * (appended to) on requests, {@code Via} and the connection's framing on responses. Requests also lose
 * every field whose name contains '_' ({@link Head#UNDERSCORE}), and always carry one {@code Host}:
 * an absolute-form target goes on in origin-form with its authority as Host (RFC 9112 section 3.2.2),
 * and a request without one (HTTP/1.0) gets one, since HTTP/1.1 requires it. The one exception to
 * dropping {@code Upgrade}: a WebSocket handshake ({@link Head#webSocketUpgrade()}) and its {@code 101}
 * answer go on with {@code Connection: Upgrade} and {@code Upgrade: websocket}, written by the proxy.
 *
 * <p>{@code Transfer-Encoding} and {@code Content-Length} are kept: the body is passed on in the
 * framing the sender chose, except where the client's version requires otherwise (see
 * {@link #response}). Stateless and thread-safe.
 */
final class HeadWriter {
    private static final byte[] HTTP_1_1_CRLF = ascii("HTTP/1.1\r\n");
    private static final byte[] HTTP_1_1 = ascii("HTTP/1.1");
    private static final byte[] HTTP_1_0 = ascii("HTTP/1.0");
    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] HOST = ascii("Host: ");
    /** Host for a request that named none, when no back-end name is given: empty (RFC 9110 section 7.2). */
    private static final byte[] NO_HOST = new byte[0];
    private static final byte[] XFF = ascii("X-Forwarded-For: ");
    private static final byte[] XFP = ascii("X-Forwarded-Proto: ");
    private static final byte[] XFH = ascii("X-Forwarded-Host: ");
    private static final byte[] VIA = ascii("Via: ");
    private static final byte[] COMMA = ascii(", ");
    private static final byte[] VIA_VALUE = ascii("1.1 switchboard\r\n");
    private static final byte[] CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
    private static final byte[] CLOSE = ascii("Connection: close\r\n");
    private static final byte[] KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    /** The one upgrade passed on: the proxy writes it itself, whatever spelling the peer used. */
    private static final byte[] UPGRADE_WEBSOCKET = ascii("Connection: Upgrade\r\nUpgrade: websocket\r\n");
    private static final ByteBuf CONTINUE = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(ascii("HTTP/1.1 100 Continue\r\n\r\n")).asReadOnly());

    /** What to say about the connection in a response head; UPGRADE: a 101 to WebSocket. */
    enum Connection { NOTHING, CLOSE, KEEP_ALIVE, UPGRADE }

    private HeadWriter() {}

    /** {@code 100 Continue}, sent by the proxy itself. */
    static ByteBuf continueResponse() {
        return CONTINUE.duplicate();
    }

    /**
     * The request head for a back end, as {@link #request(ByteBufAllocator, Head, byte[], byte[], boolean, byte[])}
     * with an empty Host for a request that names no host (RFC 9110 section 7.2: the authority is unknown).
     */
    static ByteBuf request(ByteBufAllocator alloc, Head h, byte[] clientIp, byte[] proto, boolean dropExpect) {
        return request(alloc, h, clientIp, proto, dropExpect, NO_HOST);
    }

    /**
     * The request head for a back end: always HTTP/1.1 (Switchboard speaks 1.1 to back ends),
     * {@code Expect} dropped when the proxy answers 100-continue itself. {@code hostIfMissing} is the
     * Host value for a request that names no host (an HTTP/1.0 request without Host), e.g. the back
     * end's host:port as NGINX's default {@code proxy_set_header Host $proxy_host}.
     */
    static ByteBuf request(ByteBufAllocator alloc, Head h, byte[] clientIp, byte[] proto, boolean dropExpect, byte[] hostIfMissing) {
        return request(alloc, h, clientIp, proto, dropExpect, hostIfMissing, null);
    }

    /** As above, with the {@link HeadEdits} of a route or of persistence applied (null: none). */
    static ByteBuf request(ByteBufAllocator alloc, Head h, byte[] clientIp, byte[] proto, boolean dropExpect, byte[] hostIfMissing,
                           HeadEdits edits) {
        byte[] a = h.bytes;
        String newTarget = edits == null ? null : edits.target();
        int extra = edits == null ? 0 : edits.addedBytes() + (newTarget == null ? 0 : newTarget.length());
        ByteBuf out = alloc.ioBuffer(h.length + 96 + 2 * clientIp.length + hostIfMissing.length + extra);
        long drop = REQUEST_DROPS | (dropExpect ? 1L << Head.EXPECT : 0);
        int host = h.indexOf(Head.HOST);
        boolean absolute = h.absoluteForm();
        // An edit of Host replaces whatever the proxy would write for it.
        boolean hostEdited = edits != null && edits.removes("host");
        if (newTarget != null) {
            out.writeBytes(a, 0, h.methodEnd + 1);   // "METHOD "
            out.writeCharSequence(newTarget, StandardCharsets.ISO_8859_1);
            out.writeByte(' ');
        } else if (absolute) {
            out.writeBytes(a, 0, h.methodEnd + 1);   // "METHOD "
            if (h.pathStart == h.targetEnd) {
                out.writeByte(h.emptyPathTarget().charAt(0));
            } else {
                if (a[h.pathStart] == '?') out.writeByte('/');
                out.writeBytes(a, h.pathStart, h.targetEnd - h.pathStart);
            }
            out.writeByte(' ');
        } else {
            out.writeBytes(a, 0, h.targetEnd + 1);   // "METHOD target "
        }
        out.writeBytes(HTTP_1_1_CRLF);
        if (hostEdited) {
            drop |= 1L << Head.HOST;
        } else if (absolute) {
            out.writeBytes(HOST).writeBytes(a, h.authorityStart, h.authorityEnd - h.authorityStart).writeBytes(CRLF);
            drop |= 1L << Head.HOST;
        } else if (host < 0) {
            out.writeBytes(HOST).writeBytes(hostIfMissing).writeBytes(CRLF);
        }
        copyFields(out, h, drop, edits);
        int xff = h.indexOf(Head.X_FORWARDED_FOR);
        int via = h.indexOf(Head.VIA);
        out.writeBytes(XFF);
        if (xff >= 0 && appendValues(out, h, Head.X_FORWARDED_FOR, xff)) out.writeBytes(COMMA);
        out.writeBytes(clientIp).writeBytes(CRLF);
        out.writeBytes(XFP).writeBytes(proto).writeBytes(CRLF);
        if (absolute) {
            out.writeBytes(XFH).writeBytes(a, h.authorityStart, h.authorityEnd - h.authorityStart).writeBytes(CRLF);
        } else if (host >= 0) {
            int from = h.valueStart(host);
            out.writeBytes(XFH).writeBytes(a, from, h.valueEnd(host) - from).writeBytes(CRLF);
        }
        if (h.webSocketUpgrade()) out.writeBytes(UPGRADE_WEBSOCKET);
        writeVia(out, h, via);
        out.writeBytes(CRLF);
        return out;
    }

    /**
     * The response head for the client: in the client's version, hop-by-hop fields removed, Via
     * appended; {@code dropTransferEncoding} when a chunked body goes to an HTTP/1.0 client as plain
     * bytes, {@code addChunked} when a body delimited by the back end's close goes to an HTTP/1.1 client.
     */
    static ByteBuf response(ByteBufAllocator alloc, Head h, boolean http10, boolean dropTransferEncoding, boolean addChunked,
                            Connection connection) {
        return response(alloc, h, http10, dropTransferEncoding, addChunked, connection, 0);
    }

    /** As above, with {@code room} more bytes of capacity for a body to be appended. */
    static ByteBuf response(ByteBufAllocator alloc, Head h, boolean http10, boolean dropTransferEncoding, boolean addChunked,
                            Connection connection, int room) {
        return response(alloc, h, http10, dropTransferEncoding, addChunked, connection, room, null);
    }

    /** As above, with the {@link HeadEdits} of a route or of persistence applied (null: none). */
    static ByteBuf response(ByteBufAllocator alloc, Head h, boolean http10, boolean dropTransferEncoding, boolean addChunked,
                            Connection connection, int room, HeadEdits edits) {
        byte[] a = h.bytes;
        ByteBuf out = alloc.ioBuffer(h.length + 64 + room + (edits == null ? 0 : edits.addedBytes()));
        out.writeBytes(http10 ? HTTP_1_0 : HTTP_1_1);
        out.writeBytes(a, HTTP_1_1.length, h.startLineEnd + 2 - HTTP_1_1.length); // " 200 OK\r\n"
        copyFields(out, h, RESPONSE_DROPS | noBodyFraming(h.status) | (dropTransferEncoding ? 1L << Head.TRANSFER_ENCODING : 0), edits);
        int via = h.indexOf(Head.VIA);
        if (addChunked) out.writeBytes(CHUNKED);
        if (connection == Connection.CLOSE) out.writeBytes(CLOSE);
        else if (connection == Connection.KEEP_ALIVE) out.writeBytes(KEEP_ALIVE);
        else if (connection == Connection.UPGRADE) out.writeBytes(UPGRADE_WEBSOCKET);
        writeVia(out, h, via);
        out.writeBytes(CRLF);
        return out;
    }

    /** Hop-by-hop fields (RFC 9110 section 7.6.1), by definition or by name. */
    private static final long HOP_BY_HOP = bits(Head.CONNECTION, Head.KEEP_ALIVE, Head.PROXY_CONNECTION, Head.TE, Head.TRAILER,
            Head.UPGRADE, Head.PROXY_AUTHENTICATE, Head.HTTP2_SETTINGS);
    /** Request fields the proxy writes itself (merged or replaced), and names with '_' (never forwarded). */
    private static final long REQUEST_DROPS = HOP_BY_HOP
            | bits(Head.X_FORWARDED_FOR, Head.X_FORWARDED_PROTO, Head.X_FORWARDED_HOST, Head.VIA, Head.UNDERSCORE);
    static final long RESPONSE_DROPS = HOP_BY_HOP | bits(Head.VIA);
    /**
     * The framing fields a response with this status must not carry (RFC 9110 section 8.6, RFC 9112
     * section 6.1): none for a 1xx or 204, which never has a body whatever its fields say. A back end's
     * Content-Length or Transfer-Encoding on one is dropped, not passed on to a client or a proxy further
     * down that might wait for that body (HAProxy drops them too).
     */
    static long noBodyFraming(int status) {
        return status < 200 || status == 204 ? 1L << Head.CONTENT_LENGTH | 1L << Head.TRANSFER_ENCODING : 0;
    }

    /** Never removed because Connection names them: framing and Host. */
    static final long KEPT = bits(Head.HOST, Head.CONTENT_LENGTH, Head.TRANSFER_ENCODING);

    private static long bits(byte... kinds) {
        long b = 0;
        for (byte k : kinds) b |= 1L << k;
        return b;
    }

    /**
     * Copies the field lines of {@code h} except those of the kinds in {@code drop} and those named
     * in its Connection field, in runs of adjacent kept lines (one copy per run).
     */
    private static void copyFields(ByteBuf out, Head h, long drop, HeadEdits edits) {
        byte[] a = h.bytes;
        int run = -1;
        int runEnd = -1;
        for (int i = 0; i < h.fields; i++) {
            long bit = 1L << h.kind(i);
            boolean dropped = (drop & bit) != 0 || ((KEPT & bit) == 0 && h.namedInConnection(i))
                    || (edits != null && edits.drops(h, i));
            if (dropped) {
                if (run >= 0) out.writeBytes(a, run, runEnd - run);
                run = -1;
            } else {
                if (run < 0) run = h.start(i);
                runEnd = h.end(i) + 2;
            }
        }
        if (run >= 0) out.writeBytes(a, run, runEnd - run);
        if (edits != null) {
            for (byte[] line : edits.added()) out.writeBytes(line);
        }
    }

    private static void writeVia(ByteBuf out, Head h, int via) {
        out.writeBytes(VIA);
        if (via >= 0 && appendValues(out, h, Head.VIA, via)) out.writeBytes(COMMA);
        out.writeBytes(VIA_VALUE);
    }

    /** Writes the non-empty values of every field of this kind from {@code first} on, joined by ", "; true if any. */
    private static boolean appendValues(ByteBuf out, Head h, byte kind, int first) {
        boolean any = false;
        for (int i = first; i < h.fields; i++) {
            if (h.kind(i) != kind) continue;
            int from = h.valueStart(i);
            int to = h.valueEnd(i);
            if (from == to) continue;
            if (any) out.writeBytes(COMMA);
            out.writeBytes(h.bytes, from, to - from);
            any = true;
        }
        return any;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
