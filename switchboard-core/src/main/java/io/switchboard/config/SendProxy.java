package io.switchboard.config;

/**
 * A server's own {@code send-proxy}: whether its new connections start with a PROXY protocol header,
 * overriding its pool's. {@link #POOL} (the server does not say) follows the pool; {@link #OFF}
 * sends none even when the pool does.
 */
public enum SendProxy {
    POOL, OFF, V1, V2;

    /** The header this server's connections start with when its pool sends {@code pool} (null: none); null: none. */
    public ProxyProtocolVersion or(ProxyProtocolVersion pool) {
        return switch (this) {
            case POOL -> pool;
            case OFF -> null;
            case V1 -> ProxyProtocolVersion.V1;
            case V2 -> ProxyProtocolVersion.V2;
        };
    }
}
