/**
 * Back ends and immutable snapshots of pool membership, read lock-free by pickers. May import
 * {@code config} and {@code load}; must not import {@code balance} or {@code registry} (they build on it).
 */
package io.switchboard.backend;
