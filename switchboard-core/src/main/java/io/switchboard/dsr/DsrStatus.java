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
 */
public record DsrStatus(String iface, String vip, int port, String protocol, String pool, int tableSize, List<Server> servers,
                        long appliedAtMillis, long applies, String lastError, long lastErrorAtMillis) {
    public DsrStatus {
        Objects.requireNonNull(iface, "iface");
        servers = List.copyOf(servers);
    }

    /** One server of the table in force: its MAC as the neighbour table had it, and the slots it owns. */
    public record Server(String name, String address, String mac, int weight, int slots) {}
}
