/**
 * Balancing algorithms: immutable pickers over a {@code BackendSet}. May import {@code backend} and
 * {@code load}; must not import {@code registry} or {@code config}.
 */
package io.switchboard.balance;
