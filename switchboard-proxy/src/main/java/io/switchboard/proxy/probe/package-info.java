/**
 * Active health probes (TCP connect, HTTP GET) on the event loops, and the transition log; what a
 * result means is decided by core {@code health} through the pool. May import core, Netty and
 * {@code io.switchboard.proxy} ({@code Transport}); must not import {@code proxy.http}, admin or app.
 */
package io.switchboard.proxy.probe;
