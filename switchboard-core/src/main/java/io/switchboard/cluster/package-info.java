/**
 * Pure decisions for a cluster of balancers: which member holds which virtual address. No I/O, no
 * group communication, no clock of its own; imports nothing of Switchboard and nothing outside the
 * JDK, so that every member, given the same agreed view, computes the same result.
 */
package io.switchboard.cluster;
