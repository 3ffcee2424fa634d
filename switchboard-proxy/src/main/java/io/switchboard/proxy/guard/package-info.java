/**
 * Connection- and request-level verdicts in front of every pool: connection limits, allow/deny lists,
 * rate limits and their rejection log. Netty handlers and their pure decision objects. May import
 * {@code config}, {@code proxy.proxyprotocol} (the client address) and Netty; must not import {@code backend}, {@code balance}, admin or app. Known cycle,
 * being broken: with {@code proxy.http} (the guards answer through its error responses).
 */
package io.switchboard.proxy.guard;
