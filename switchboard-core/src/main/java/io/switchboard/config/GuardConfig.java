package io.switchboard.config;

import java.util.List;

/**
 * What one listener does about abusive clients (seed 004, ProtoWrap: the dispatcher protects the real
 * servers): connection limits, a request rate limit per client and address allow/deny lists. Every
 * limit is off by default. An IPv6 client is counted and limited by its /64 network, since one host
 * or subscriber usually has a whole /64 to pick addresses from.
 *
 * @param maxConnections open client connections on the listener; 0 = unlimited
 * @param maxConnectionsPerIp open connections from one client address; 0 = unlimited
 * @param requestsPerSecond the token bucket's refill rate per client address; 0 = no rate limit
 * @param burst the bucket's size: requests a client may send at once after being quiet
 * @param allow when not empty, only clients in one of these networks are served
 * @param deny clients in these networks are refused; the most specific matching network decides
 *     between allow and deny, deny on a tie
 */
public record GuardConfig(int maxConnections, int maxConnectionsPerIp, double requestsPerSecond, int burst,
                          List<Cidr> allow, List<Cidr> deny) {
    public static final GuardConfig NONE = new GuardConfig(0, 0, 0, 0, List.of(), List.of());

    public GuardConfig {
        if (maxConnections < 0 || maxConnectionsPerIp < 0) throw new IllegalArgumentException("connection limits must be 0 or more");
        if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException("requests per second must be 0 or more");
        }
        if (requestsPerSecond > 0 && burst < 1) throw new IllegalArgumentException("burst must be at least 1 with a rate limit");
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    public boolean limitsConnections() {
        return maxConnections > 0 || maxConnectionsPerIp > 0;
    }

    public boolean limitsRate() {
        return requestsPerSecond > 0;
    }

    public boolean filtersAddresses() {
        return !allow.isEmpty() || !deny.isEmpty();
    }

    /** The default burst for a rate: one second's worth, at least one request. */
    public static int defaultBurst(double requestsPerSecond) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(requestsPerSecond)));
    }
}
