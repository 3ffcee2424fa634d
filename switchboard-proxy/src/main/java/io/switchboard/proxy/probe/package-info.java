/**
 * Active health probes (TCP connect, HTTP GET) on the event loops, and the transition log; what a
 * result means is decided by core {@code health} through the pool. May import core, Netty,
 * {@code io.switchboard.proxy} ({@code Transport}) and {@code proxy.tls} (a pool's TLS to its back
 * ends); must not import {@code proxy.http}, admin or app.
 */
package io.switchboard.proxy.probe;
