/**
 * Content switching: the ordered routes of a listener (conditions on host, path, method, headers,
 * query, cookies, client network and stick-table counters; actions forward, redirect, respond),
 * compiled once into a {@link io.switchboard.route.Router} that the data plane asks once per
 * request, and the path normalisation that route matching runs on. The routes as configured (plain values) are {@code
 * io.switchboard.config.RouteConfig} and {@code RouteAction}.
 *
 * <p>Pure JDK: must not import Netty, the proxy, the admin plane or the app. Depends only on
 * {@code io.switchboard.config} (the route records, CIDR). Stick-table counters are read through
 * {@link io.switchboard.route.RouteRequest#stickCounter}, which the data plane implements, so this
 * package does not import {@code io.switchboard.persist}.
 */
package io.switchboard.route;
