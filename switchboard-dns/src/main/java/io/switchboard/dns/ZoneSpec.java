package io.switchboard.dns;

import java.util.List;

/**
 * One zone as configured: its origin, SOA, name servers (NS at the apex), and the names it serves.
 * Immutable.
 */
public record ZoneSpec(String origin, SoaSpec soa, List<String> nameServers, List<PoolName> poolNames,
                       List<SrvName> srvNames, List<StaticRecord> statics) {
    public ZoneSpec {
        nameServers = List.copyOf(nameServers);
        poolNames = List.copyOf(poolNames);
        srvNames = List.copyOf(srvNames);
        statics = List.copyOf(statics);
        if (nameServers.isEmpty()) {
            throw new IllegalArgumentException("zone " + origin + ": at least one name server (NS) is required");
        }
    }

    boolean uses(String pool) {
        return poolNames.stream().anyMatch(p -> p.pool().equals(pool))
                || srvNames.stream().anyMatch(s -> s.pool().equals(pool));
    }
}
