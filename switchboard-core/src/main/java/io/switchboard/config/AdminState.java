package io.switchboard.config;

import java.util.Locale;

/**
 * What an operator asked for; health decides the rest. The config file and the admin API spell these
 * as {@link AdminStateSyntax} reads them.
 */
public enum AdminState {
    READY, DRAIN, MAINT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
