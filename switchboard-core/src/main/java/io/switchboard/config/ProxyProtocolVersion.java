package io.switchboard.config;

/**
 * A version of HAProxy's PROXY protocol (https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt):
 * {@code v1} is one line of text, {@code v2} a binary header. Both carry the client's address and the
 * address it connected to, ahead of the connection's own bytes.
 */
public enum ProxyProtocolVersion { V1, V2 }
