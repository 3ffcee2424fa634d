/**
 * Health decisions: {@code HealthPolicy} (rise/fall hysteresis) and {@code OutlierDetector} (passive
 * ejection), pure functions of what probes and requests report and of a clock passed in. JDK only:
 * imports nothing from Switchboard, so probes, the pool and the simulator can all use it.
 */
package io.switchboard.health;
