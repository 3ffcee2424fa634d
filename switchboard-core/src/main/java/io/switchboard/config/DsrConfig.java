package io.switchboard.config;

import java.util.Locale;
import java.util.Objects;

/**
 * Direct server return ({@code dsr:} at the top of the file): packets to {@code vip:port} arriving on
 * {@code iface} are sent on, unchanged but for their destination MAC, to a server of {@code pool}
 * chosen by a hash of the flow, and the servers answer the clients themselves. Switchboard only writes
 * the table (nftables, netdev family, ingress hook of {@code iface}); the kernel forwards. Plain data:
 * the app checks it and runs it.
 *
 * @param vip the virtual IPv4 address the clients connect to (held on the servers' loopback, not here)
 * @param port the service port; the servers listen on the same port (DSR cannot change it)
 * @param protocol which transport's packets are forwarded
 * @param iface the director's interface, on the same L2 segment as the servers
 * @param pool the pool whose eligible servers (health, weight, drain) receive the flows
 * @param tableSize the Maglev table's size (a prime): slots of the nftables map
 */
public record DsrConfig(String vip, int port, Protocol protocol, String iface, String pool, int tableSize) {
    /** The nftables table Switchboard owns and replaces as a whole. */
    public static final String TABLE = "switchboard_dsr";

    public DsrConfig {
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(pool, "pool");
    }

    public enum Protocol {
        TCP,
        UDP;

        /** As nftables and the file write it: {@code tcp}, {@code udp}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
