/**
 * HTTP/1.1 proxying: the own codec ({@code Http1Decoder}, {@code HeadParser}, {@code HeadWriter}), the
 * front-end and back-end handlers, the dispatch queue, pooled back-end connections and WebSocket
 * tunnels. May import core ({@code backend}, {@code balance}, {@code config}, {@code dispatch},
 * {@code persist}), {@code proxy.tls} (TLS contexts, the client's certificate) and Netty; must not
 * import admin or app. Known cycles, being broken: with {@code io.switchboard.proxy} and
 * {@code proxy.guard}.
 */
package io.switchboard.proxy.http;
