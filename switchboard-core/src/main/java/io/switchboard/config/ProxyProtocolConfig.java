package io.switchboard.config;

import java.util.List;

/**
 * A listener's {@code proxy-protocol}: which peers are proxies (HAProxy, a cloud load balancer) that
 * open every connection with a PROXY protocol header (v1 or v2, told apart by their first bytes)
 * carrying the real client's address. A connection from a trusted network must send one; a
 * connection from anywhere else must not (its header would be a forged client address). Immutable.
 *
 * @param trusted the networks of the proxies in front; never empty
 */
public record ProxyProtocolConfig(List<Cidr> trusted) {
    public ProxyProtocolConfig {
        trusted = List.copyOf(trusted);
        if (trusted.isEmpty()) throw new IllegalArgumentException("proxy-protocol needs at least one trusted network");
    }

    /** Whether a peer at this address (4 or 16 bytes; null: not an IP address) is a trusted proxy. */
    public boolean trusts(byte[] address) {
        if (address == null) return false;
        for (Cidr c : trusted) if (c.contains(address)) return true;
        return false;
    }
}
