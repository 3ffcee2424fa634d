package io.switchboard.config;

import java.net.InetSocketAddress;

/** How Switchboard writes an address in logs, errors and the admin API: {@code host:port}, {@code [v6]:port}. */
public final class Addresses {
    private Addresses() {}

    /** {@code host:port}, with an IPv6 literal in brackets. */
    public static String hostPort(String host, int port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** The numeric address and port of a bound or connected socket address. */
    public static String of(InetSocketAddress a) {
        String h = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return hostPort(h, a.getPort());
    }
}
