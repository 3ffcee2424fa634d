/**
 * The discrete-event simulator behind {@code switchboard simulate}: scenarios as values
 * ({@link io.switchboard.sim.Scenario}), engines that drive the real core pool, pickers, dispatch,
 * health and load-feedback classes on a simulated clock ({@link io.switchboard.sim.TrafficEngine},
 * {@link io.switchboard.sim.BinsEngine}), the runner ({@link io.switchboard.sim.Simulator}) and the
 * reports (CSV, PNG and SVG charts, {@link io.switchboard.sim.Report}).
 *
 * <p>Imports switchboard-core, HdrHistogram and JFreeChart only: no Netty, no sockets, no YAML (the
 * app reads scenario files), and no copies of core algorithms.
 */
package io.switchboard.sim;
