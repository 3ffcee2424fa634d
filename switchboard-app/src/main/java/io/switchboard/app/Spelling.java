package io.switchboard.app;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean" for misspelt keys and names. Optimal-string-alignment distance, so that a swapped
 * pair ({@code wieght}) counts as one edit, after folding case and {@code _} to {@code -} (so that
 * {@code header_timeout} and {@code headerTimeout} find {@code header-timeout}).
 */
final class Spelling {
    private Spelling() {}

    /** The closest candidate within a few edits, or null when nothing is plausibly meant. */
    static String closest(String word, Collection<String> candidates) {
        String w = fold(word);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(w, fold(c));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = Math.max(1, Math.min(3, w.length() / 3));
        return bestDistance <= allowed ? best : null;
    }

    /** ", did you mean 'x'?" or "" — for splicing into a message. */
    static String suggestion(String word, Collection<String> candidates) {
        String c = closest(word, candidates);
        return c == null ? "" : ", did you mean '" + c + "'?";
    }

    private static String fold(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isUpperCase(ch) && i > 0 && Character.isLowerCase(s.charAt(i - 1))) sb.append('-');
            sb.append(ch == '_' ? '-' : ch);
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
