/**
 * Traffic statistics for the dashboard and the API: per back end counters, latency histograms and
 * one-second series, fed by {@code ExchangeListener} callbacks. No Netty; must not import
 * {@code io.switchboard.admin} nor {@code admin.metrics}, which read it.
 */
package io.switchboard.admin.stats;
