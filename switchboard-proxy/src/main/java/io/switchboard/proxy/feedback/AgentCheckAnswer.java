package io.switchboard.proxy.feedback;

import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import java.util.Locale;

/**
 * One line of HAProxy's agent-check text protocol, parsed: the words an agent may send, separated by
 * spaces, tabs or commas, case-insensitive, in any order, up to an optional {@code #comment}:
 * <ul>
 *   <li>{@code NN%}: the weight, as a percentage of the configured weight (0-25600, since a weight
 *       is at most 256);</li>
 *   <li>{@code maxconn:N}: the in-flight limit (N >= 0; 0: no limit, as in HAProxy);</li>
 *   <li>a state: {@code up}, {@code ready}, {@code drain}, {@code maint}, {@code down},
 *       {@code fail}, {@code stopped} (the last three mean down).</li>
 * </ul>
 * Other words are ignored, as HAProxy ignores them, but a line in which no word is understood, or
 * with a malformed percentage or maxconn, or bytes that are not printable ASCII, is refused: a pull
 * that yields nothing usable is "no data". When several states are named the most restrictive wins
 * (maint, down, drain, ready, up), so {@code "up drain"} drains.
 *
 * <p>Immutable.
 */
public record AgentCheckAnswer(AgentState state, int weightPercent, int maxConn, String comment) {
    /** The largest weight percentage accepted: a weight is at most 256. */
    public static final int MAX_PERCENT = 256 * 100;

    /**
     * Parses one line (a trailing CR/LF is allowed).
     *
     * @throws IllegalArgumentException saying what was wrong with the line, for the rate-limited log
     */
    public static AgentCheckAnswer parse(String line) {
        String text = line;
        while (text.endsWith("\n") || text.endsWith("\r")) text = text.substring(0, text.length() - 1);
        String comment = null;
        int hash = text.indexOf('#');
        if (hash >= 0) {
            comment = text.substring(hash + 1).trim();
            text = text.substring(0, hash);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < ' ' && c != '\t') || c >= 0x7f) {
                throw new IllegalArgumentException("byte 0x" + Integer.toHexString(c) + " at " + i
                        + " is not printable ASCII (an agent-check answer is one line of text)");
            }
        }
        AgentState state = AgentState.NONE;
        int percent = LoadReport.UNKNOWN;
        int maxConn = LoadReport.UNKNOWN;
        boolean understood = false;
        for (String word : text.split("[ \t,]+")) {
            if (word.isEmpty()) continue;
            String w = word.toLowerCase(Locale.ROOT);
            if (w.endsWith("%")) {
                percent = number(w.substring(0, w.length() - 1), MAX_PERCENT, "weight '" + word + "'",
                        "0%-" + MAX_PERCENT + "%");
                understood = true;
            } else if (w.startsWith("maxconn:")) {
                maxConn = number(w.substring("maxconn:".length()), Integer.MAX_VALUE, "'" + word + "'", "maxconn:0 or more");
                understood = true;
            } else {
                AgentState s = AgentState.ofWord(w);
                if (s != null) {
                    if (rank(s) > rank(state)) state = s;
                    understood = true;
                }
            }
        }
        if (!understood) {
            throw new IllegalArgumentException("'" + abbreviate(line.strip()) + "' has no agent-check word (expected NN%,"
                    + " maxconn:N, up, ready, drain, maint, down, fail or stopped)");
        }
        return new AgentCheckAnswer(state, percent, maxConn, comment);
    }

    /** This answer as a report received at {@code receivedNanos} (the balancer's clock). */
    public LoadReport report(long receivedNanos) {
        return LoadReport.agentCheck(receivedNanos, state, weightPercent, maxConn, Double.NaN);
    }

    private static int rank(AgentState s) {
        return switch (s) {
            case NONE -> 0;
            case UP -> 1;
            case READY -> 2;
            case DRAIN -> 3;
            case DOWN -> 4;
            case MAINT -> 5;
        };
    }

    private static int number(String digits, int max, String what, String allowed) {
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(what + " is not a whole number (allowed: " + allowed + ")");
        }
        long v = Long.parseLong(digits);
        if (v > max) throw new IllegalArgumentException(what + " is out of range (allowed: " + allowed + ")");
        return (int) v;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
