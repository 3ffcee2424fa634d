/**
 * One node's part in the cluster, as the app starts it: {@link io.switchboard.cluster.service.ClusterService}
 * joins the group, hands each view's address changes to the holder in view order, plugs replication
 * in, and reports {@link io.switchboard.cluster.ClusterStatus}. The only package that composes the
 * others.
 *
 * <p>It must not import JGroups directly (the group package wraps it), the proxy or Netty.
 */
package io.switchboard.cluster.service;
