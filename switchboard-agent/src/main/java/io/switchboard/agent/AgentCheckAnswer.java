package io.switchboard.agent;

import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;

/**
 * What the agent says to HAProxy's {@code agent-check}: one ASCII line of words separated by
 * spaces, e.g. {@code "up ready 73%\n"}, and the weight it asks for.
 *
 * <p>HAProxy 2.6 (configuration manual, {@code agent-check}) reads two independent things from the
 * words, and changes only what the answer mentions:
 * <ul>
 * <li>the <em>operational</em> state: {@code up} sets it back to UP if the health checks also pass
 *     (so it never makes a failing server eligible); {@code down}, {@code fail}, {@code stopped}
 *     set it DOWN, with an optional {@code #comment} shown on the stats page;</li>
 * <li>the <em>administrative</em> state: {@code drain} and {@code maint} set DRAIN and MAINT;
 *     {@code ready} clears both. Only the agent can undo what the agent did, so an agent that ever
 *     says {@code drain} must say {@code ready} when it is done draining. HAProxy's {@code ready}
 *     also clears a DRAIN or MAINT that an operator set on HAProxy's own socket.</li>
 * </ul>
 * Hence: with a state file the agent owns the administrative state and says it in every answer
 * ({@code ready}, {@code drain} or {@code maint}), so a drain set on HAProxy's socket lasts only
 * until the next check; without one it never says an administrative word, leaving that state to
 * HAProxy's operator, and says only {@code up} (harmless: it cannot outvote a failing health check,
 * and it undoes a {@code down} an earlier run of the agent may have said).
 *
 * <p>The weight is {@code NN%} of the server's configured weight:
 * {@code max(floor, round(100 × (1 − cpu busy)))}, the host's idle CPU share over the last interval,
 * with a floor (1% by default) so that a busy server still gets a trickle and keeps being measured
 * by its traffic rather than starved. Before the agent has measured one interval it says no weight,
 * and HAProxy keeps the one it has. {@code maxconn:N} when the operator configured one.
 *
 * <p>Stateless; thread-safe.
 */
final class AgentCheckAnswer {
    private AgentCheckAnswer() {}

    /** The weight percentage for a CPU busy figure (0..1, NaN unknown): see the class comment; UNKNOWN when NaN. */
    static int weightPercent(double cpuBusy, int floorPercent) {
        if (Double.isNaN(cpuBusy)) return LoadReport.UNKNOWN;
        long idle = Math.round(100 * (1 - Math.clamp(cpuBusy, 0.0, 1.0)));
        return Math.clamp(idle, floorPercent, 100);
    }

    /**
     * The answer line, newline included.
     *
     * @param state         from the state file; {@link AgentState#NONE} when the agent has none
     * @param weightPercent {@link LoadReport#UNKNOWN} to say no weight
     * @param maxConn       {@link LoadReport#UNKNOWN} to say no maxconn
     */
    static String line(AgentState state, int weightPercent, int maxConn) {
        StringBuilder s = new StringBuilder(48);
        s.append(switch (state) {
            case NONE -> "up";
            case UP, READY -> "up ready";
            case DRAIN -> "up drain";
            case MAINT -> "up maint";
            case DOWN -> "down ready";
        });
        if (weightPercent != LoadReport.UNKNOWN) s.append(' ').append(weightPercent).append('%');
        if (maxConn != LoadReport.UNKNOWN) s.append(" maxconn:").append(maxConn);
        if (state == AgentState.DOWN) s.append(" #state file says down");
        return s.append('\n').toString();
    }
}
