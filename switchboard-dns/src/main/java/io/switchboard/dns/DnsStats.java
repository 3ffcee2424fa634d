package io.switchboard.dns;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what the responders did, for {@code /metrics} and the dashboard: responses by RCODE,
 * truncated responses, and what rate limiting dropped or slipped. Shared by all responders;
 * thread-safe (one LongAdder each, so event loops do not contend).
 */
public final class DnsStats {
    private final LongAdder[] byRcode = new LongAdder[Wire.BADVERS + 1];
    private final LongAdder truncated = new LongAdder();
    private final LongAdder silenced = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder slipped = new LongAdder();

    public DnsStats() {
        for (int i = 0; i < byRcode.length; i++) {
            byRcode[i] = new LongAdder();
        }
    }

    void countResponse(int rcode, boolean tc) {
        byRcode[rcode].increment();
        if (tc) {
            truncated.increment();
        }
    }

    void countSilenced() {
        silenced.increment();
    }

    void countRateLimited() {
        rateLimited.increment();
    }

    void countSlipped() {
        slipped.increment();
    }

    /** Responses sent with this RCODE (0 NOERROR, 1 FORMERR, 3 NXDOMAIN, 4 NOTIMP, 5 REFUSED, 16 BADVERS). */
    public long responses(int rcode) {
        return rcode >= 0 && rcode < byRcode.length ? byRcode[rcode].sum() : 0;
    }

    /** Responses sent with TC=1 (too large for the client's UDP limit, or slipped by rate limiting). */
    public long truncated() {
        return truncated.sum();
    }

    /** Messages not answered at all: runts and responses (QR=1). */
    public long silenced() {
        return silenced.sum();
    }

    /** Responses dropped by rate limiting. */
    public long rateLimited() {
        return rateLimited.sum();
    }

    /** Responses rate limiting sent truncated instead of dropping them. */
    public long slipped() {
        return slipped.sum();
    }
}
