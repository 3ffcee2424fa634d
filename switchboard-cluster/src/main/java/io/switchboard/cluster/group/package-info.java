/**
 * Membership in the group of balancers, on JGroups: the protocol stack (TCP, static discovery,
 * encryption with the shared key, failure detection, merging), the coordinator's stamped views from
 * which every member computes the same {@link io.switchboard.cluster.VipAssignment}, and broadcasts
 * that are never echoed to their sender.
 *
 * <p>The only package that imports JGroups. It must not import the other cluster packages (vip,
 * replicate, service), the registry, the proxy or Netty: it carries views and bytes, not meaning.
 */
package io.switchboard.cluster.group;
