/**
 * Back-end host names to addresses, without blocking an event loop: Netty's DNS resolver on each
 * loop, answers kept exactly as long as their TTL says, failures never kept. {@link
 * io.switchboard.proxy.resolve.HostResolver} is the process-wide entry (one per proxy, shared by the
 * data plane and the health probes); {@link io.switchboard.proxy.resolve.LoopResolver} is its
 * per-loop part that connects ask.
 *
 * <p>May import Netty and {@code io.switchboard.backend}; must not import the HTTP data plane
 * ({@code io.switchboard.proxy.http}) or the probes, which import this package.
 */
package io.switchboard.proxy.resolve;
