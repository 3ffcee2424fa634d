package io.switchboard.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The authoritative DNS server ({@code dns:} at the top of the file): where it listens (UDP and TCP
 * on one port), the EDNS0 payload it accepts, optional response rate limiting, and the zones whose
 * names follow the pools' health and weights. Plain data: the app checks the zones by compiling them
 * with the DNS engine, and the proxy turns them into the engine's zone specs.
 *
 * @param maxUdpPayload the largest UDP response (EDNS0 buffer size), 512..65535
 * @param rateLimit null: no response rate limiting
 */
public record DnsConfig(String host, int port, int maxUdpPayload, RateLimit rateLimit, List<Zone> zones) {
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 53;
    public static final int DEFAULT_MAX_UDP_PAYLOAD = 1232;
    public static final Duration DEFAULT_NAME_TTL = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_RECORDS = 8;
    public static final Duration DEFAULT_RECORD_TTL = Duration.ofHours(1);
    public static final int DEFAULT_SRV_PRIORITY = 10;

    public DnsConfig {
        Objects.requireNonNull(host, "host");
        zones = List.copyOf(zones);
    }

    /** Where the listener binds; a change of these restarts it on reload. */
    public boolean sameListener(DnsConfig other) {
        return other != null && host.equals(other.host) && port == other.port && maxUdpPayload == other.maxUdpPayload
                && Objects.equals(rateLimit, other.rateLimit);
    }

    /** At most {@code responsesPerSecond} per client network and answer; every {@code slip}-th limited one goes out truncated. */
    public record RateLimit(int responsesPerSecond, int slip) {}

    /** @param soa null: defaults, with the first name server as MNAME and hostmaster.&lt;origin&gt; as RNAME */
    public record Zone(String origin, Soa soa, List<String> nameServers, List<PoolName> pools, List<Srv> srv,
                       List<Record> records) {
        public Zone {
            nameServers = List.copyOf(nameServers);
            pools = List.copyOf(pools);
            srv = List.copyOf(srv);
            records = List.copyOf(records);
        }
    }

    public record Soa(String mname, String rname, Duration ttl, Duration refresh, Duration retry, Duration expire,
                      Duration minimum) {}

    /** A name answered with the A/AAAA records of the pool's eligible servers. */
    public record PoolName(String name, String pool, Duration ttl, int maxRecords) {}

    /** SRV records of the pool's eligible servers; port 0 means each server's own port. */
    public record Srv(String name, String pool, int port, int priority, Duration ttl) {}

    /** A static record: type A, AAAA or TXT, with its value as written. */
    public record Record(String name, String type, String value, Duration ttl) {}
}
