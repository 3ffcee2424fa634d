package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.load.LoadReport;

/** Keeps the back ends that carry {@code tag} ({@code tags:} of the server). */
public record ByTag(String tag) implements Candidacy.Filter {
    public ByTag {
        if (tag == null || tag.isBlank()) throw new IllegalArgumentException("by-tag needs a tag");
    }

    @Override
    public boolean keep(Backend b, LoadReport report, long nowNanos) {
        return b.tags().contains(tag);
    }

    @Override
    public String word() {
        return "by-tag " + tag;
    }
}
