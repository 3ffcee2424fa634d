package io.switchboard.proxy.proxyprotocol;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The one answer to "who is the client of this connection": the address a trusted proxy carried in
 * its PROXY protocol header when there was one, else the peer of the TCP connection. Everything that
 * acts on the client address (X-Forwarded-For, the access log, allow/deny, rate and connection limits,
 * route conditions, hashing, stick keys) asks here instead of {@code Channel.remoteAddress()}. An HTTP/2
 * stream's channel answers for its connection (its parent).
 *
 * <p>Threading: the attribute is set once on the channel's event loop, before the handlers after
 * {@link ProxyProtocolAcceptor} see {@code channelActive}; reading it is safe from any thread.
 */
public final class ClientAddress {
    private static final AttributeKey<InetSocketAddress> CARRIED = AttributeKey.valueOf("switchboard.proxy-protocol.source");

    private ClientAddress() {}

    /** The client's address: carried by a PROXY header on this connection (or its parent), else the peer's. */
    public static SocketAddress of(Channel ch) {
        InetSocketAddress carried = carried(ch);
        return carried != null ? carried : ch.remoteAddress();
    }

    /** The address a PROXY header carried on this connection (or its parent), or null. */
    public static InetSocketAddress carried(Channel ch) {
        InetSocketAddress a = get(ch);
        if (a == null && ch.parent() != null) a = get(ch.parent());
        return a;
    }

    /** Asks with hasAttr first: attr() makes the attribute, an object per connection that took no header. */
    private static InetSocketAddress get(Channel ch) {
        return ch.hasAttr(CARRIED) ? ch.attr(CARRIED).get() : null;
    }

    /** Records the client address a PROXY header carried. */
    static void set(Channel ch, InetSocketAddress source) {
        ch.attr(CARRIED).set(source);
    }
}
