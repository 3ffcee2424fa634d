/**
 * Back ends and pools: {@code Backend} (live counters), {@code BackendSet} (the immutable snapshot
 * pickers read), {@code Pool} (the single writer that applies each {@code Change}) and the states an
 * operator or health sets. JDK only: no Netty, no I/O. Must not import the proxy, admin or app
 * modules. Known cycles, being broken: with {@code balance} (a pool builds its picker) and with
 * {@code config} (a pool reads {@code PoolConfig}, a {@code Change} carries a {@code ServerConfig}).
 */
package io.switchboard.backend;
