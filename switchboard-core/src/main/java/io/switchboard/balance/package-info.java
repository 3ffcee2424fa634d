/**
 * Balancing algorithms: {@code Algorithm}, {@code Picker}, {@code PickContext} and one final class per
 * algorithm, each a pure decision over a {@code BackendSet} snapshot, run on the hot path. JDK only:
 * no Netty, no I/O, no clock of its own. May import {@code backend} and {@code load}; must not import
 * {@code config} (settings arrive as values) nor any other module. Known cycle, being broken: with
 * {@code backend}.
 */
package io.switchboard.balance;
