package io.switchboard.dns;

/**
 * SRV records (RFC 2782) for {@code _service._proto.name}: one per eligible server of the pool,
 * with the given priority, the server's weight and {@code port} (0: the server's own port). Each
 * target is {@code <server name>.<name>} and answers with the server's address. Immutable.
 */
public record SrvName(String name, String pool, int port, int priority, int ttl) {
    public SrvName(String name, String pool) {
        this(name, pool, 0, 10, PoolName.DEFAULT_TTL);
    }
}
