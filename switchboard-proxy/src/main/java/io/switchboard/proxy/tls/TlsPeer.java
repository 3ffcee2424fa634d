package io.switchboard.proxy.tls;

import io.netty.util.AttributeKey;

/**
 * What the HTTP front end passes on about a TLS connection's client, set once when its handshake
 * succeeds: the header that carries the verified client-certificate subject, and the subject.
 *
 * @param header the configured header name; null when client certificates are not asked for
 * @param subject the verified subject DN (RFC 2253, non-printable characters escaped); null when the
 *     client sent no certificate
 */
public record TlsPeer(String header, String subject) {
    /** On the client channel, after a successful handshake. */
    public static final AttributeKey<TlsPeer> KEY = AttributeKey.valueOf(TlsPeer.class, "peer");
}
