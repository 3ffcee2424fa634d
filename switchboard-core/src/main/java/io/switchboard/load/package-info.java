/** Load measures kept per back end (sliding-window traffic, peak EWMA latency). Imports nothing of Switchboard. */
package io.switchboard.load;
