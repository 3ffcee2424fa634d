/**
 * The layer-4 switch ({@code mode: tcp} listeners): one back end per client connection, picked at
 * accept with the pool's algorithm, max-connections and queue, connected with retries before any byte
 * is forwarded, then the bytes relayed both ways unread, with back-pressure, half-close and an idle
 * timeout; every session is an entry of the proxy's {@link io.switchboard.dispatch.SessionTable}.
 * A listener's validator may look first: {@code TlsPeek} holds the session until a well-formed
 * ClientHello chose the pool by SNI (TLS passthrough, with TLS 1.2 session-ID stickiness), and
 * {@code LineValidator} checks every client line.
 * May import core ({@code backend}, {@code balance}, {@code config}, {@code dispatch}), {@code
 * io.switchboard.proxy} (its state and transport), {@code proxy.guard}, {@code proxy.proxyprotocol}, {@code proxy.resolve}
 * and Netty; must not import {@code proxy.http}, admin or app. Known cycle, as {@code proxy.http}'s: with
 * {@code io.switchboard.proxy} ({@code ProxyServer} installs {@code TcpFrontendInitializer}; sessions
 * read {@code ProxyState}).
 */
package io.switchboard.proxy.tcp;
