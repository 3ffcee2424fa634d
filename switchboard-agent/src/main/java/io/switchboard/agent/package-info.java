/**
 * {@code switchboard agent}: the process that runs on each back end. It measures its host from
 * {@code /proc} (and the web server's own status page), answers HAProxy's agent-check text
 * protocol, and pushes authenticated reports ({@code io.switchboard.load.ReportCodec}) to balancers.
 * JDK only: imports {@code io.switchboard.load} and {@code io.switchboard.config} of core, never Netty
 * or the proxy, so that the agent costs the host it measures next to nothing.
 */
package io.switchboard.agent;
