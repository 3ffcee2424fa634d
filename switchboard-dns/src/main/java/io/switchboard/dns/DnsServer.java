package io.switchboard.dns;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One server of a pool as DNS sees it: what the registry knows, reduced to what an answer needs.
 * {@code eligible} is the pool's verdict (healthy, not drained, not disabled); a server with
 * weight 0 is never answered either. {@code name} names the SRV target ({@code name.<owner>}).
 * Immutable.
 */
public record DnsServer(String name, InetAddress address, int port, int weight, boolean eligible) {
    public DnsServer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("server " + name + ": port " + port + " is not in 0..65535");
        }
        if (weight < 0 || weight > 65535) {
            throw new IllegalArgumentException("server " + name + ": weight " + weight + " is not in 0..65535");
        }
    }

    boolean answers() {
        return eligible && weight > 0;
    }
}
