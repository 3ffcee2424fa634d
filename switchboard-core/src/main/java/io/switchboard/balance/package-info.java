/**
 * Balancing algorithms: pickers over a {@code BackendSet}, immutable apart from what a pool's
 * successive pickers hand on to each other (the tie-break cursor, and the locality-aware
 * algorithms' bounded table of which back ends serve which target). May import {@code backend} and
 * {@code load}; must not import {@code registry} or {@code config}.
 */
package io.switchboard.balance;
