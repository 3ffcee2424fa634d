package io.switchboard.load;

import java.util.HashMap;
import java.util.Map;

/**
 * Refuses replayed and stale pushed reports. Each agent's sequence must increase strictly
 * (a captured datagram sent again is refused), and its send time must be within {@code window} of
 * the receiver's clock (a datagram captured before the receiver restarted, when it forgot the
 * sequences, is refused once it is older than the window).
 *
 * <p>Threading: one receiver thread; not thread-safe. Memory: one entry per agent name that sent an
 * authentic report (forging a name needs the key), so it is bounded by the agents configured.
 */
public final class ReplayGuard {
    private final long windowMillis;
    private final Map<String, Long> lastSequence = new HashMap<>();

    public ReplayGuard(long windowMillis) {
        if (windowMillis <= 0) throw new IllegalArgumentException("window must be positive");
        this.windowMillis = windowMillis;
    }

    /** Accepts the datagram (remembering its sequence) or says why not; call after the MAC was checked. */
    public void check(ReportCodec.Datagram d, long nowMillis) throws ReportCodec.Refusal {
        long skew = Math.abs(nowMillis - d.sentMillis());
        if (skew > windowMillis) {
            throw new ReportCodec.Refusal(ReportCodec.Reason.STALE, "sent " + skew + " ms from this clock, more than "
                    + windowMillis + " ms (clocks out of step, or a replay)");
        }
        Long last = lastSequence.get(d.server());
        if (last != null && d.sequence() <= last) {
            throw new ReportCodec.Refusal(ReportCodec.Reason.REPLAYED, "sequence " + d.sequence()
                    + " from " + d.server() + " is not after " + last);
        }
        lastSequence.put(d.server(), d.sequence());
    }
}
