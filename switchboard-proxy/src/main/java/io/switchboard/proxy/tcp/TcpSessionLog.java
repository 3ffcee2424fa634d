package io.switchboard.proxy.tcp;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.proxy.AccessLog;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.ProxyState;
import io.switchboard.proxy.proxyprotocol.ClientAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * The access-log line of a TCP session (HAProxy's tcplog, NGINX's stream log): one {@link AccessRecord}
 * per session of a {@code mode: tcp} listener, written when it ends, in the listener's access-log format.
 *
 * <p>Fields: the client's address (the one a trusted PROXY header carried, else the peer's), the
 * listener, request {@code TCP} (no target, no protocol), a status in NGINX stream's sense ({@link
 * #status}), {@code pool/server} bound ({@code -} when none was), bytes client to server ({@code in}) and
 * server to client ({@code out}), the session's duration, connect retries, and how it ended as the cause
 * ({@link #how}). Only the access log gets it: the per-server request counters (admin traffic) count
 * HTTP exchanges, and a session is not one.
 *
 * <p>Threading: the session's event loop; {@link #REFUSED} is set by validators on that same loop.
 */
final class TcpSessionLog {
    /** Set by a validator that refused the client ({@link ValidationFailures}): "validator: why". */
    static final AttributeKey<String> REFUSED = AttributeKey.valueOf("switchboard.tcp.refused");

    /** A session whose bytes were relayed, however it ended (NGINX stream: 200). */
    static final int RELAYED = 200;
    /** A validator refused the client's bytes (NGINX stream: 400, data that could not be parsed). */
    static final int INVALID = 400;
    /** The allow/deny lists refused the client at accept. */
    static final int FORBIDDEN = 403;
    /** No server could be chosen or reached. */
    static final int NO_SERVER = 502;
    /** Every server at max-connections: the queue was full or the wait too long. */
    static final int QUEUE = 503;

    private TcpSessionLog() {}

    /**
     * Writes the session's line if the listener has an access log.
     *
     * @param why what ended the session, as {@code TcpSession.end} was told
     */
    static void ended(ProxyState state, String listener, Channel client, SessionTable.Session entry, int retries,
                      long startNanos, String why) {
        AccessLog log = state.accessLog();
        if (log == AccessLog.OFF || entry == null) return;
        String refused = client == null ? null : client.attr(REFUSED).get();
        String how = how(refused, entry.server() != null, why);
        log.log(new AccessRecord(System.currentTimeMillis(), clientIp(client, entry), listener, "TCP", "-", "-",
                status(refused, entry.server() != null, why), entry.server() == null ? "-" : entry.pool() + "/" + entry.server(),
                entry.bytesUp(), entry.bytesDown(), (System.nanoTime() - startNanos) / 1000, retries, how));
    }

    private static String clientIp(Channel client, SessionTable.Session entry) {
        SocketAddress a = client == null ? null : ClientAddress.of(client);
        if (a instanceof InetSocketAddress i) return i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
        return entry.client();
    }

    /** The status of a session (NGINX stream's {@code $status} codes). */
    static int status(String refused, boolean bound, String why) {
        if (refused != null) return INVALID;
        if (bound) return RELAYED;
        if (why.startsWith("refused at accept")) return FORBIDDEN;
        if (why.startsWith("queue of class") || why.startsWith("waited ")) return QUEUE;
        if (why.startsWith("no ") || why.startsWith("all servers")) return NO_SERVER;
        return RELAYED; // the client left (or broke) before a server was connected
    }

    /**
     * How the session ended, in a few words, then what {@code TcpSession} said: {@code fin} (both sides
     * sent FIN), {@code client close} / {@code server close} (a side closed the connection; a validator's
     * refusal first), {@code client reset} / {@code server reset}, {@code client error} / {@code server error},
     * {@code idle timeout}, {@code refused by validator}, {@code refused at accept}, {@code no server},
     * {@code queue}.
     */
    static String how(String refused, boolean bound, String why) {
        if (refused != null) return "refused by validator: " + refused;
        String kind;
        if (why.equals("both sides finished")) kind = "fin";
        else if (why.equals("client closed")) kind = "client close";
        else if (why.equals("server closed")) kind = "server close";
        else if (why.startsWith("client connection broke")) kind = why.toLowerCase(Locale.ROOT).contains("reset") ? "client reset" : "client error";
        else if (why.startsWith("server connection broke")) kind = why.toLowerCase(Locale.ROOT).contains("reset") ? "server reset" : "server error";
        else if (why.startsWith("idle for")) kind = "idle timeout";
        else if (why.startsWith("refused at accept")) kind = "refused at accept";
        else if (why.startsWith("queue of class") || why.startsWith("waited ")) kind = "queue";
        else if (!bound && (why.startsWith("no ") || why.startsWith("all servers"))) kind = "no server";
        else kind = "error";
        return kind.equals(why) || why.startsWith(kind) ? why : kind + ": " + why;
    }
}
