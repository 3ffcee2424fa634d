/**
 * The Prometheus collector: pools, back ends, traffic and Netty's buffer pool, read at scrape time.
 * May import {@code admin.stats}, core and {@code io.switchboard.proxy}; must not import
 * {@code io.switchboard.admin} (the API) nor {@code proxy.http}.
 */
package io.switchboard.admin.metrics;
