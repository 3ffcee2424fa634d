package io.switchboard.backend;

import io.switchboard.config.AdminState;

/**
 * A back end as one snapshot sees it: published state, configured weight and the weight in effect
 * (lower than configured during slow start), and why it is in that state.
 */
public record Member(Backend backend, BackendState state, AdminState admin, int weight, int effectiveWeight, String cause) {
    public boolean eligible() {
        return state == BackendState.UP && effectiveWeight > 0;
    }
}
