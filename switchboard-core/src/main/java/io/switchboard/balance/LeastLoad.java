package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.load.LoadReport;
import java.time.Duration;

/**
 * RFC 2391's "least weighted load": requests weighted by their expected cost (a route's {@code cost},
 * 1 by default), hosts weighted by the resources they report free, compared two at a time.
 *
 * <p>The score of back end i, lower is better:
 * <pre>
 *   score_i = (L_i + k_i + 1) / (w_i × F_i)
 *
 *   L_i = the report's busy web-server workers (requests it is serving, from every balancer); 0 when
 *         the agent does not read the web server's status
 *   k_i = request cost dispatched to i since that report ({@link Backend#costSinceReport()}): the
 *         correction for a stale report, so that a back end that looked idle stops looking idle after
 *         the requests sent to it meanwhile, before its next report (the seed's "5,000 hits")
 *   w_i = the effective weight (configured × the agent's percentage, slow start)
 *   F_i = the free fraction of the host, at least {@value #MIN_FREE}:
 *         min(1 − cpuBusy, idleWorkers / (busyWorkers + idleWorkers)), each term where reported;
 *         1 − min(1, load1 / cpus) when the report has no CPU busy figure; 1 when it has neither
 * </pre>
 * CPU busy comes first because it follows load within one agent interval, where the load average
 * takes a minute. Memory is not a term: running short of memory does not slow a server in
 * proportion, it fails it; an agent says so with {@code drain} or {@code down}. The floor on F keeps a
 * saturated host comparable (it loses to any host with free capacity, but among saturated hosts the
 * lighter loaded one still wins). The +1 makes capacity count when nothing is loaded.
 *
 * <p>The pick: two distinct candidates drawn by weight (as {@link PowerOfTwoChoices}), the lower
 * score wins (no herd: a global minimum over stale figures is what herds). A back end whose last
 * report is older than {@code report-max-age} (3 s by default: a few agent intervals), or that never
 * reported, has no score: a pair in which either lacks one is compared by requests in flight per
 * unit weight, as p2c does, the only figure both have. So a back end without data is treated as
 * average, neither best nor worst: it gets about what p2c would give it, and a silent agent never
 * turns its back end into a magnet or takes it out.
 *
 * <p>Threading: the picker is immutable; it reads the back ends' report slots and counters lock-free.
 */
public final class LeastLoad implements Algorithm {
    public static final Duration DEFAULT_REPORT_MAX_AGE = Duration.ofSeconds(3);
    /** The least free fraction a host counts with. */
    public static final double MIN_FREE = 0.05;

    private final Duration reportMaxAge;

    public LeastLoad() {
        this(DEFAULT_REPORT_MAX_AGE);
    }

    public LeastLoad(Duration reportMaxAge) {
        if (reportMaxAge == null || reportMaxAge.isNegative() || reportMaxAge.isZero()) {
            throw new IllegalArgumentException("report-max-age must be positive, got " + reportMaxAge);
        }
        this.reportMaxAge = reportMaxAge;
    }

    public Duration reportMaxAge() {
        return reportMaxAge;
    }

    @Override
    public String name() {
        return "least-load";
    }

    @Override
    public boolean readsLoad() {
        return true;
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        return new P(set.eligible(), set.weights(), reportMaxAge.toNanos());
    }

    /** F_i of the class comment: the free fraction of the host the report describes. */
    public static double free(LoadReport r) {
        double busy = r.cpuBusy();
        if (Double.isNaN(busy)) busy = !Double.isNaN(r.load1()) && r.cpus() > 0 ? Math.min(1, r.load1() / r.cpus()) : 0;
        double f = 1 - busy;
        int workers = r.busyWorkers() + r.idleWorkers();
        if (r.busyWorkers() >= 0 && r.idleWorkers() >= 0 && workers > 0) f = Math.min(f, (double) r.idleWorkers() / workers);
        return Math.max(f, MIN_FREE);
    }

    /** L_i + k_i + 1 of the class comment. */
    static double demand(LoadReport r, Backend b) {
        return Math.max(r.busyWorkers(), 0) + b.costSinceReport() + 1.0;
    }

    private static final class P extends TwoChoices {
        final long maxAgeNanos;

        P(Backend[] bs, int[] ws, long maxAgeNanos) {
            super(bs, ws);
            this.maxAgeNanos = maxAgeNanos;
        }

        @Override
        boolean lighter(int a, int b, long now) {
            Backend ba = bs[a], bb = bs[b];
            LoadReport ra = ba.loadReport(), rb = bb.loadReport();
            if (fresh(ra, now) && fresh(rb, now)) {
                // (Da / (wa Fa)) <= (Db / (wb Fb)), multiplied out
                return demand(ra, ba) * ws[b] * free(rb) <= demand(rb, bb) * ws[a] * free(ra);
            }
            return fewerInFlight(a, b);
        }

        private boolean fresh(LoadReport r, long now) {
            return r != null && r.ageNanos(now) <= maxAgeNanos;
        }
    }
}
