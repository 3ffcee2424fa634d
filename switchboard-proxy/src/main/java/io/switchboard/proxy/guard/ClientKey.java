package io.switchboard.proxy.guard;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who a client is for counting and rate limiting: an IPv4 address, or the /64 network of an IPv6
 * address (one host or subscriber usually has a whole /64 to pick addresses from, so counting single
 * IPv6 addresses would let one client multiply its limits). IPv4-mapped IPv6 addresses count as
 * their IPv4 address. Immutable; computed once per connection.
 */
record ClientKey(boolean ipv6, long bits) {
    /** Every client whose address is not an IP address (e.g. an in-memory test channel) shares this key. */
    static final ClientKey UNKNOWN = new ClientKey(true, -1L);

    static ClientKey of(SocketAddress remote) {
        byte[] a = addressBytes(remote);
        if (a == null) return UNKNOWN;
        long bits = 0;
        int n = a.length == 4 ? 4 : 8;
        for (int i = 0; i < n; i++) bits = (bits << 8) | (a[i] & 0xff);
        return new ClientKey(a.length == 16, bits);
    }

    /** The client's address as 4 or 16 bytes (an IPv4-mapped IPv6 address as its 4 IPv4 bytes), or null. */
    static byte[] addressBytes(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress isa)) return null;
        InetAddress addr = isa.getAddress();
        if (addr == null) return null;
        byte[] a = addr.getAddress();
        if (a.length == 16 && isV4Mapped(a)) {
            return new byte[] {a[12], a[13], a[14], a[15]};
        }
        return a;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    /** The client's IP as text for logs, or "-". */
    static String text(SocketAddress remote) {
        if (remote instanceof InetSocketAddress isa && isa.getAddress() != null) return isa.getAddress().getHostAddress();
        return "-";
    }
}
