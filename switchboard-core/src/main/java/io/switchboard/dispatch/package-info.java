/**
 * What happens to one request or session, decided without I/O: pick a back end with exclusion and
 * max-connections ({@link io.switchboard.dispatch.PoolDispatch}), wait in the pool's queue by priority
 * class ({@link io.switchboard.dispatch.DispatchQueue}), retry or give up ({@link
 * io.switchboard.dispatch.Attempts}, bounded by a {@link io.switchboard.dispatch.RetryBudget}), and
 * account for how an attempt ended ({@link io.switchboard.dispatch.Outcome}).
 *
 * <p>HTTP/1, HTTP/2 streams, TCP sessions and the simulator all use these classes. It never sees a
 * socket: it must not import Netty, the proxy or the app, only the JDK and core's backend, balance,
 * health, config and registry packages.
 */
package io.switchboard.dispatch;
