/**
 * Content switching: the ordered routes of a listener (conditions on host, path, method, headers,
 * query, cookies and client network; actions forward, redirect, respond), compiled once into a
 * {@link io.switchboard.route.Router} that the data plane asks once per request, and the path
 * normalisation that route matching runs on.
 *
 * <p>Pure JDK: must not import Netty, the proxy, the admin plane or the app. Depends only on
 * {@code io.switchboard.config} (CIDR, names).
 */
package io.switchboard.route;
