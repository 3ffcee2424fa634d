package io.switchboard.balance;

/** mod_backhand's byLogWindow: keeps the first ⌈log2 n⌉ of n candidates (at least one). */
public record ByLogWindow() implements Candidacy {
    /** ⌈log2 n⌉, at least 1. */
    public static int size(int n) {
        return n <= 2 ? 1 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    @Override
    public String word() {
        return "by-log-window";
    }
}
