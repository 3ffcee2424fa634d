/**
 * The balancer's side of load feedback: the UDP receiver of pushed, authenticated load reports
 * ({@link io.switchboard.proxy.feedback.LoadReportReceiver}), the HAProxy agent-check pull client
 * ({@link io.switchboard.proxy.feedback.AgentCheckPuller}) and what they count. Both turn what they
 * receive into {@link io.switchboard.registry.Change.Agent} changes of origin
 * {@link io.switchboard.registry.Origin#AGENT}; what a pool does with a report is core's business.
 * A report that does not come is "no data", never "down".
 *
 * <p>Imports core (the codec, the registry) and the JDK's blocking sockets; never Netty's event loops
 * (a datagram a second per back end does not need them), the app or the admin plane.
 */
package io.switchboard.proxy.feedback;
