/**
 * Validated configuration values and their shared value syntaxes (addresses, operator states,
 * all-down policies, routes as configured): plain records, the leaf of the core. Imports nothing of Switchboard.
 */
package io.switchboard.config;
