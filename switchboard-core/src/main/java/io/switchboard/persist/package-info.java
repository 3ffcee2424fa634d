/**
 * Session persistence, decided without I/O: the signed server cookie ({@link
 * io.switchboard.persist.ServerCookie}), stick tables with LRU eviction, expiry and per-key counters
 * ({@link io.switchboard.persist.StickTable}), and the per-pool state that outlives reloads ({@link
 * io.switchboard.persist.PersistenceState}). Time always comes in as an argument.
 *
 * <p>Used by the HTTP data plane (and later TCP and the cluster). It must not import Netty, the
 * proxy, the admin API or the app: only the JDK and core's config package.
 */
package io.switchboard.persist;
