/**
 * Shared state between the members: stick-table entries, operators' admin changes, agent load
 * reports and probe results, taken from the registry's tap and the tables' listener, coalesced,
 * encoded with a versioned bounded codec, and applied on the peers with origin {@code peer}, never
 * sent again (one hop, no echo).
 *
 * <p>Talks to the group only through a byte sink and {@link io.switchboard.cluster.group.ClusterView}s:
 * it must not import JGroups, the vip or service packages, the proxy or Netty.
 */
package io.switchboard.cluster.replicate;
