package io.switchboard.dns;

/**
 * SRV records (RFC 2782) for {@code _service._proto.name}: one per eligible server of the pool,
 * with the given priority, the server's weight and {@code port} (0: the server's own port). Each
 * target is {@code <server name>.<name>} and answers with the server's address. Immutable.
 */
public record SrvName(String name, String pool, int port, int priority, int ttl) {
    public SrvName {
        if (port < 0 || port > 65535 || priority < 0 || priority > 65535 || ttl < 0) {
            throw new IllegalArgumentException("SRV " + name + ": port and priority must be in 0..65535 and ttl 0 or more; got port "
                    + port + ", priority " + priority + ", ttl " + ttl);
        }
    }

    public SrvName(String name, String pool) {
        this(name, pool, 0, 10, PoolName.DEFAULT_TTL);
    }
}
