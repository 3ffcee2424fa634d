/**
 * The admin listener: the REST API ({@code AdminApi}, which routes to {@code AdminReads} and
 * {@code AdminChanges}; documented in {@code docs/admin-api.yaml}), its Netty front
 * ({@code AdminServer}, {@code AdminHandler}), token checks, the dashboard's static files and
 * {@code /metrics}. Sees the running dispatcher only through {@code Dispatcher}; values it reads use
 * core {@code config}'s parsers. Must not import the app module nor {@code proxy.http}.
 */
package io.switchboard.admin;
