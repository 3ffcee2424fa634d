package io.switchboard.proxy.feedback;

import io.switchboard.load.ReportCodec;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What became of the pushed load reports the receiver read (accepted, or refused by reason) and of
 * the agent-check pulls (answered, or failed). The admin plane exports them as
 * {@code switchboard_load_reports_total{result}} and {@code switchboard_agent_checks_total{result}}.
 *
 * <p>Threading: written by the receiver thread and the pullers, read by anyone; lock-free.
 */
public final class LoadReportCounters {
    /** The {@code result} label of an accepted report. */
    public static final String ACCEPTED = "accepted";

    private final LongAdder accepted = new LongAdder();
    private final Map<ReportCodec.Reason, LongAdder> refused = new EnumMap<>(ReportCodec.Reason.class);
    private final LongAdder pullsAnswered = new LongAdder();
    private final LongAdder pullsFailed = new LongAdder();

    public LoadReportCounters() {
        for (ReportCodec.Reason r : ReportCodec.Reason.values()) refused.put(r, new LongAdder());
    }

    void accepted() { accepted.increment(); }

    void refused(ReportCodec.Reason reason) { refused.get(reason).increment(); }

    void pullAnswered() { pullsAnswered.increment(); }

    void pullFailed() { pullsFailed.increment(); }

    /** Authentic, fresh reports that reached at least one back end. */
    public long acceptedTotal() { return accepted.sum(); }

    /** Datagrams refused for this reason. */
    public long refusedTotal(ReportCodec.Reason reason) { return refused.get(reason).sum(); }

    /** The {@code result} label of a refusal: the reason in lower case ({@code bad_mac}, {@code stale}, ...). */
    public static String label(ReportCodec.Reason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    /** Agent-check pulls that gave a usable answer. */
    public long pullsAnsweredTotal() { return pullsAnswered.sum(); }

    /** Agent-check pulls that gave none (refused connection, timeout, no line, garbage): "no data". */
    public long pullsFailedTotal() { return pullsFailed.sum(); }
}
