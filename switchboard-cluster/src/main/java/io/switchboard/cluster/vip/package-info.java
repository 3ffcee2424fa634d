/**
 * Holding virtual addresses on this host's interface: {@code ip addr add/del} and gratuitous ARP
 * ({@code arping}) for this node's part of each view's {@link io.switchboard.cluster.VipAssignment.Diff}.
 *
 * <p>Runs commands, nothing else: it must not import JGroups, the group or replication packages, the
 * registry or Netty, and never throws on a failed command (it logs it).
 */
package io.switchboard.cluster.vip;
