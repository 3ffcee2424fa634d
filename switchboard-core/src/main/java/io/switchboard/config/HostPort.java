package io.switchboard.config;

/**
 * A host (a name, an IPv4 address, or an IPv6 address without brackets) and a port, as
 * {@link HostPortSyntax} read it. The name is not resolved. Immutable.
 */
public record HostPort(String host, int port) {
    /** {@code host:port}, with an IPv6 address in brackets: the form {@link HostPortSyntax#parse} reads. */
    @Override
    public String toString() {
        return Addresses.hostPort(host, port);
    }
}
