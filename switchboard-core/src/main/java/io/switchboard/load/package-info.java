/**
 * Load metrics that load-aware algorithms read: {@code PeakEwma} latency and {@code WindowedCounter}.
 * Lock-free and allocation-free on update. JDK only: imports nothing from Switchboard.
 */
package io.switchboard.load;
