package io.switchboard.balance;

/**
 * mod_backhand's byRandom: the candidates in random order, drawn by weight (a heavier back end comes
 * early more often). Followed by {@link ByLogWindow} it is a sample, not a shuffle: {@link Chain}
 * draws only the window's candidates.
 */
public record ByRandom() implements Candidacy {
    @Override
    public String word() {
        return "by-random";
    }
}
