/**
 * Pools, their single writer, and the registry of pools across reloads with its numbered events.
 * The top of the core: may import {@code backend}, {@code balance}, {@code config} and {@code health};
 * nothing of the core imports it.
 */
package io.switchboard.registry;
