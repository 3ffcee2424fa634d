/**
 * HAProxy's PROXY protocol (v1 and v2, https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt):
 * accepting the header from trusted proxies in front ({@code ProxyProtocolAcceptor}, the first handler
 * of a client pipeline), the client address every other part of the data plane asks for
 * ({@code ClientAddress}), and sending the header to back ends ({@code ProxyHeader}). Used by HTTP
 * listeners and meant for TCP listeners alike. May import {@code config} and Netty only (the
 * guards and the HTTP front end import it, not the other way round).
 */
package io.switchboard.proxy.proxyprotocol;
