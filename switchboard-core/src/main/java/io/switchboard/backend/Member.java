package io.switchboard.backend;

import io.switchboard.config.AdminState;

/**
 * A back end as one snapshot sees it: published state, configured weight and the ramp weight
 * (lower than configured during slow start), and why it is in that state.
 *
 * <p>{@code effectiveWeight} is the slow-start ramp only; it says nothing about state. What an
 * operator reads as "effective weight" (the admin API, {@code /metrics}) is
 * {@link #weightForNewRequests()}, so that both report the same number.
 */
public record Member(Backend backend, BackendState state, AdminState admin, int weight, int effectiveWeight, String cause) {
    public boolean eligible() {
        return state == BackendState.UP && effectiveWeight > 0;
    }

    /**
     * The weight this back end has for new requests: the ramp weight while eligible, 0 otherwise
     * (drained, in maintenance, down). Panic mode, which sends to down back ends anyway, is the
     * pool's decision and not shown here.
     */
    public int weightForNewRequests() {
        return eligible() ? effectiveWeight : 0;
    }
}
