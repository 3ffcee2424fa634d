/** Pure health decisions: rise/fall hysteresis and passive outlier ejection. Imports nothing of Switchboard. */
package io.switchboard.health;
