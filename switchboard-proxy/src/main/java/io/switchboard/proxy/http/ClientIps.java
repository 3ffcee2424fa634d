package io.switchboard.proxy.http;

import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The text of client IP addresses (for X-Forwarded-For, the access log, stick keys), shared by the
 * connections from one address: each connection would otherwise keep its own String and byte array,
 * about 50 bytes of heap per idle connection, for text that is the same for every connection from a
 * client (a NAT, a browser's six connections, a load generator).
 *
 * <p>A small direct-mapped cache per thread: a miss (another address in the slot) only costs making the
 * text, as without the cache. The texts are immutable; callers must not change the bytes.
 *
 * <p>Threading: one cache per thread (the event loops); nothing is shared across threads.
 */
final class ClientIps {
    /** Slots per thread; a power of two. */
    static final int SLOTS = 256;

    /** A client address's text and its ISO-8859-1 bytes. */
    record Text(InetAddress address, String text, byte[] bytes) {}

    private static final FastThreadLocal<Text[]> CACHE = new FastThreadLocal<>() {
        @Override
        protected Text[] initialValue() {
            return new Text[SLOTS];
        }
    };

    private ClientIps() {}

    /** The text of {@code a}'s IP address (its host string when it is unresolved). */
    static Text of(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            String host = a.getHostString();
            return new Text(null, host, HeadWriter.ascii(host));
        }
        Text[] cache = CACHE.get();
        int slot = spread(ip.hashCode()) & (SLOTS - 1);
        Text t = cache[slot];
        if (t == null || !t.address().equals(ip)) {
            String text = ip.getHostAddress();
            t = new Text(ip, text, HeadWriter.ascii(text));
            cache[slot] = t;
        }
        return t;
    }

    /** Inet4Address's hash is the address itself: mix so that the low bits of a /24 do not all collide. */
    private static int spread(int h) {
        h ^= h >>> 16;
        h *= 0x45d9f3b;
        return h ^ (h >>> 16);
    }
}
