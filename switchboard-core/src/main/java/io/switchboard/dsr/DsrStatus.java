package io.switchboard.dsr;

import java.util.List;
import java.util.Objects;

/**
 * The direct-server-return table as last written (or refused), for {@code GET /api/v1/dsr}. Immutable;
 * a new one per change.
 *
 * @param iface the director's interface (the ingress hook and the way out)
 * @param vip the virtual address
 * @param port the service port
 * @param protocol {@code tcp} or {@code udp}
 * @param pool the pool served
 * @param tableSize slots of the Maglev table
 * @param servers the servers in the table in force, with their MAC addresses and slot counts
 * @param appliedAtMillis wall-clock time of the last successful write; 0 before the first
 * @param applies successful writes since start
 * @param lastError why the last attempt was refused (the table in force is the one before it); null when it succeeded
 * @param lastErrorAtMillis when that was; 0 without an error
 * @param packets packets to the virtual address that the table in force matched (forwarded, or dropped
 *     without a server) since it was written; null when unknown (no table, or the kernel was not asked)
 * @param replyPackets packets from the virtual address that arrived on the interface since the table was
 *     written: replies that should have gone straight to the client (a misconfigured server); null when unknown
 */
public record DsrStatus(String iface, String vip, int port, String protocol, String pool, int tableSize, List<Server> servers,
                        long appliedAtMillis, long applies, String lastError, long lastErrorAtMillis, Long packets,
                        Long replyPackets) {
    public DsrStatus {
        Objects.requireNonNull(iface, "iface");
        servers = List.copyOf(servers);
    }

    /** Without the kernel's counters. */
    public DsrStatus(String iface, String vip, int port, String protocol, String pool, int tableSize, List<Server> servers,
                     long appliedAtMillis, long applies, String lastError, long lastErrorAtMillis) {
        this(iface, vip, port, protocol, pool, tableSize, servers, appliedAtMillis, applies, lastError, lastErrorAtMillis, null, null);
    }

    /** This status with the table's counters as the kernel has them now. */
    public DsrStatus withCounters(Long packets, Long replyPackets) {
        return new DsrStatus(iface, vip, port, protocol, pool, tableSize, servers, appliedAtMillis, applies, lastError,
                lastErrorAtMillis, packets, replyPackets);
    }

    /** One server of the table in force: its MAC as the neighbour table had it, and the slots it owns. */
    public record Server(String name, String address, String mac, int weight, int slots) {}
}
