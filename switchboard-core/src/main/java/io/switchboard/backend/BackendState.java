package io.switchboard.backend;

import java.util.Locale;

/**
 * The state a back end is published in. Only {@link #UP} back ends receive new requests;
 * {@link #DRAIN} back ends finish what they have; {@link #DOWN} failed health; {@link #MAINT} was
 * taken out by an operator and is not probed into service.
 */
public enum BackendState {
    UP, DOWN, DRAIN, MAINT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
