/**
 * {@code DemoBackend}: a small HTTP server that answers with its own name, for {@code switchboard demo}
 * and tests. Imports Netty and {@code io.switchboard.proxy} ({@code Transport}) only; nothing else
 * from Switchboard, and nothing in the data plane imports it.
 */
package io.switchboard.proxy.demo;
