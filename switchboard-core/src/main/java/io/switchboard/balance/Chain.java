package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.load.LoadReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * mod_backhand's candidacy chain: the {@link Candidacy} functions applied in the configured order to
 * the list of eligible back ends, then the first candidate left wins. The default chain is
 * {@code [by-age 3s, by-random, by-log-window, by-load]}: of the back ends that reported in the last
 * 3 s, a random ⌈log2 n⌉, of which the least loaded (mod_backhand's answer to its "5,000 hits" on the
 * one server that looked idle until the next report).
 *
 * <p>How it is run, so that a pick does not sort the whole list:
 * <ul>
 * <li>Filters before the first window or order step ({@code by-age}, {@code by-tag}) are deferred and
 *     checked only on the candidates actually drawn. The window then counts the candidates before
 *     those filters (⌈log2 n⌉ of all eligible back ends rather than of those that pass): the two
 *     differ by at most one unless the filters dropped more than half.</li>
 * <li>{@code by-random} followed by {@code by-log-window} draws the window's k candidates (weighted
 *     random without repetition: alias-table draws, then a partial Fisher-Yates over a per-thread
 *     permutation for what is left), rather than shuffling all n and keeping k: O(k) per pick.</li>
 * <li>An order step that is the last step only finds the lowest candidate (O(count)); an earlier one
 *     sorts (stable, without allocation).</li>
 * <li>The default chain's shape (by-age filters, by-random, by-log-window, by-load) reads the two
 *     figures it needs of each candidate from the picker's {@link ReportFigures}, one compact array
 *     kept current by the reports, rather than from the back end: at 10,000 back ends each back end
 *     read is a cache miss.</li>
 * </ul>
 * A filter that would drop every candidate drops none (a pool whose agents are all silent still
 * serves: silence is "no data", never "down"); back ends the request already failed on are never
 * candidates. Ties in an order step keep the list's order, so put {@code by-random} first unless the
 * configured order should break them. Weights count in {@code by-random}'s draws only.
 *
 * <p>Threading: the picker is immutable and shared by all event loops; its working arrays are per
 * thread ({@link ThreadLocal}, allocated on a thread's first pick of each picker), so a pick allocates
 * nothing. The report figures' copy is written by the threads that store reports (see {@link
 * ReportFigures}); a picker whose copy a newer picker took over reads the back ends instead.
 */
public final class Chain implements Algorithm {
    /** mod_backhand's example chain: fresh reports, a random log window, the least loaded of it. */
    public static final List<Candidacy> DEFAULT = List.of(new ByAge(Duration.ofSeconds(3)), new ByRandom(),
            new ByLogWindow(), new ByLoad());
    /** How many weighted draws a window may take before the uniform fill; beyond, draws repeat too often. */
    private static final int MAX_WEIGHTED_WINDOW = 64;
    /**
     * After a pick found no back end passing the filters before the window (every agent silent), a
     * thread draws without them for this long: finding that out examines every back end, which
     * must not be every pick's cost. A report that turns fresh meanwhile counts up to this much later.
     */
    static final long NONE_PASS_MEMO_NANOS = 100_000_000L;

    private final List<Candidacy> steps;

    public Chain() {
        this(DEFAULT);
    }

    public Chain(List<Candidacy> steps) {
        if (steps == null || steps.isEmpty()) throw new IllegalArgumentException("a chain needs at least one candidacy function");
        this.steps = List.copyOf(steps);
    }

    /**
     * The chain the config words describe, e.g. {@code ["by-age 3s", "by-random", "by-log-window", "by-load"]};
     * the default chain when empty.
     *
     * @throws IllegalArgumentException for a word {@link Candidacy#parse} refuses
     */
    public static Chain of(List<String> words) {
        if (words == null || words.isEmpty()) return new Chain();
        List<Candidacy> out = new ArrayList<>(words.size());
        for (String w : words) out.add(Candidacy.parse(w));
        return new Chain(out);
    }

    public List<Candidacy> steps() {
        return steps;
    }

    @Override
    public String name() {
        return "chain";
    }

    @Override
    public boolean readsLoad() {
        return true;
    }

    @Override
    public Picker newPicker(BackendSet set, Picker previous) {
        if (set.size() == 0) return Picker.NONE;
        return new P(set.eligible(), set.weights(), steps.toArray(Candidacy[]::new));
    }

    @Override
    public String toString() {
        return "chain " + steps.stream().map(Candidacy::word).toList();
    }

    /** One thread's working arrays for one picker, and what it learnt about the filters. */
    private static final class Scratch {
        final int[] cand;
        /** A permutation of 0..n-1, kept from pick to pick: a partial Fisher-Yates needs no reset. */
        final int[] perm;
        final int[] tmp;
        final double[] keys;
        final double[] tmpKeys;
        /** mark[j] == epoch: back end j was drawn in this pick (a draw without repetition in O(1)). */
        final int[] mark;
        int epoch;
        /** The lowest-keyed candidate of the draw so far (-1: none yet), and its key. */
        int best;
        double bestKey;
        /** When this thread last found that no back end passes the deferred filters; valid while {@link #nonePass}. */
        long nonePassAt;
        boolean nonePass;

        Scratch(int n, boolean random, boolean sorts) {
            cand = new int[n];
            mark = random ? new int[n] : null;
            perm = random ? new int[n] : null;
            if (random) for (int i = 0; i < n; i++) perm[i] = i;
            tmp = sorts ? new int[n] : null;
            keys = sorts ? new double[n] : null;
            tmpKeys = sorts ? new double[n] : null;
        }

        int nextEpoch() {
            if (++epoch == Integer.MAX_VALUE) {
                Arrays.fill(mark, 0);
                epoch = 1;
            }
            return epoch;
        }
    }

    private static final class P implements Picker {
        final Backend[] bs;
        final AliasTable table;
        final Candidacy[] steps;
        /** The filters before {@link #first}, checked only on drawn candidates. */
        final Candidacy.Filter[] deferred;
        /** Whether a by-random comes before {@link #first}. */
        final boolean random;
        /** The first window or order step; steps.length when there is none. */
        final int first;
        /**
         * The order step of the commonest chain shape, [filters, by-random, by-log-window, order]: the
         * window is drawn and its lowest kept in one pass, with no list. Null for other shapes.
         */
        final Candidacy.Order fused;
        /**
         * For the default chain's shape (the fused order is by-load, the deferred filters by-age
         * only): the report figures a draw reads, copied into one array. Null for other shapes.
         */
        final ReportFigures figures;
        /** The tightest by-age bound of {@link #deferred}, when {@link #figures} is set. */
        final long maxAgeNanos;
        final ThreadLocal<Scratch> scratch;

        P(Backend[] bs, int[] ws, Candidacy[] steps) {
            this.bs = bs;
            this.table = new AliasTable(ws);
            this.steps = steps;
            int f = 0;
            boolean r = false;
            List<Candidacy.Filter> d = new ArrayList<>();
            for (; f < steps.length; f++) {
                if (steps[f] instanceof Candidacy.Filter filter) d.add(filter);
                else if (steps[f] instanceof ByRandom) r = true;
                else break;
            }
            this.first = f;
            this.random = r;
            this.deferred = d.toArray(Candidacy.Filter[]::new);
            this.fused = r && f == steps.length - 2 && steps[f] instanceof ByLogWindow
                    && steps[f + 1] instanceof Candidacy.Order o ? o : null;
            long maxAge = Long.MAX_VALUE;
            boolean ageOnly = true;
            for (Candidacy.Filter filter : deferred) {
                if (filter instanceof ByAge a) maxAge = Math.min(maxAge, a.maxAgeNanos());
                else ageOnly = false;
            }
            this.maxAgeNanos = maxAge;
            this.figures = fused instanceof ByLoad && ageOnly ? new ReportFigures(bs) : null;
            boolean sorts = false;
            for (int i = f; i < steps.length - 1; i++) sorts |= steps[i] instanceof Candidacy.Order;
            int n = bs.length;
            boolean needsPerm = r;
            boolean needsSort = sorts;
            this.scratch = ThreadLocal.withInitial(() -> new Scratch(n, needsPerm, needsSort));
        }

        @Override
        public Backend pick(PickContext ctx) {
            int n = bs.length;
            if (n == 1) return ctx.excluded(bs[0]) ? null : bs[0];
            int i = first;
            if (i < steps.length && steps[i] instanceof Candidacy.Order o && (i == steps.length - 1)) {
                return lowestOfAll(ctx, o);
            }
            Scratch sc = scratch.get();
            int[] cand = sc.cand;
            if (fused != null) {
                int k = ByLogWindow.size(n);
                boolean filtered = filtering(sc, ctx);
                int got = draw(sc, ctx, k, filtered, fused);
                if (got == 0 && filtered) got = unfiltered(sc, ctx, k, fused);
                return got == 0 ? null : bs[cand[0]];
            }
            int count;
            if (i == steps.length) {
                count = gather(sc, ctx, 1);
            } else if (steps[i] instanceof ByLogWindow) {
                count = gather(sc, ctx, ByLogWindow.size(n));
                i++;
            } else {
                count = gather(sc, ctx, n);
            }
            if (count == 0) return null;
            long now = ctx.nowNanos();
            // instanceof rather than a pattern switch: the switch's bootstrap costs more than the step here
            for (; i < steps.length; i++) {
                Candidacy step = steps[i];
                if (step instanceof Candidacy.Order o) {
                    if (i == steps.length - 1) return bs[cand[lowest(cand, count, o)]];
                    sort(sc, count, o);
                } else if (step instanceof Candidacy.Filter f) {
                    count = filter(cand, count, f, now);
                } else if (step instanceof ByLogWindow) {
                    count = Math.min(count, ByLogWindow.size(count));
                } else {
                    shuffle(cand, count, ctx);
                }
            }
            return bs[cand[0]];
        }

        private boolean passes(Backend b, LoadReport r, PickContext ctx, boolean filtered) {
            if (ctx.excluded(b)) return false;
            if (filtered) {
                long now = ctx.nowNanos();
                for (Candidacy.Filter f : deferred) if (!f.keep(b, r, now)) return false;
            }
            return true;
        }

        /** Up to k candidates that pass the deferred filters (all of them, when none does), drawn or in order. */
        private int gather(Scratch sc, PickContext ctx, int k) {
            boolean filtered = filtering(sc, ctx);
            int got = gather(sc, ctx, k, filtered);
            if (got == 0 && filtered) got = unfiltered(sc, ctx, k, null);
            return got;
        }

        /** Whether the deferred filters apply to this pick: there are some, and this thread did not just find that none passes. */
        private boolean filtering(Scratch sc, PickContext ctx) {
            if (deferred.length == 0) return false;
            if (sc.nonePass && ctx.nowNanos() - sc.nonePassAt < NONE_PASS_MEMO_NANOS) return false;
            sc.nonePass = false;
            return true;
        }

        /**
         * None passed the filters: the same draw without them. Remembered for {@link
         * #NONE_PASS_MEMO_NANOS} when the request excluded nothing (else the exclusions, not the
         * filters, may be why none passed).
         */
        private int unfiltered(Scratch sc, PickContext ctx, int k, Candidacy.Order lowest) {
            int got = lowest != null ? draw(sc, ctx, k, false, lowest) : gather(sc, ctx, k, false);
            if (got > 0 && ctx.exclude().isEmpty()) {
                sc.nonePass = true;
                sc.nonePassAt = ctx.nowNanos();
            }
            return got;
        }

        private int gather(Scratch sc, PickContext ctx, int k, boolean filtered) {
            if (random) return draw(sc, ctx, k, filtered, null);
            int[] cand = sc.cand;
            int got = 0;
            for (int j = 0; j < bs.length && got < k; j++) if (passes(bs[j], bs[j].loadReport(), ctx, filtered)) cand[got++] = j;
            return got;
        }

        /**
         * Draws up to k distinct candidates that pass, by weight: alias-table draws first, then, for
         * what is left (or for a large k, where draws would repeat too often), a partial Fisher-Yates
         * over this thread's permutation, dropping (moving past the end) what fails or was drawn.
         * With {@code lowest}, keeps only the lowest-keyed of them (the first drawn among equals) in
         * cand[0] and returns 1, or 0 when none passed.
         */
        private int draw(Scratch sc, PickContext ctx, int k, boolean filtered, Candidacy.Order lowest) {
            int[] mark = sc.mark;
            int epoch = sc.nextEpoch();
            int n = bs.length;
            int got = 0;
            sc.best = -1;
            // read once per pick, not per candidate
            RandomGenerator random = ctx.random();
            boolean excluding = !ctx.exclude().isEmpty();
            long now = ctx.nowNanos();
            long[] figs = lowest != null && figures != null && figures.current() ? figures.figures() : null;
            if (k <= MAX_WEIGHTED_WINDOW && 2 * k <= n) {
                for (int attempts = 0, limit = 2 * k + 8; got < k && attempts < limit; attempts++) {
                    int j = table.sample(random);
                    if (mark[j] == epoch) continue;
                    mark[j] = epoch;
                    if (take(sc, j, got, ctx, excluding, filtered, now, figs, lowest)) got++;
                }
            }
            int[] perm = sc.perm;
            int m = n;
            int i = 0;
            while (got < k && i < m) {
                int j = i + ctx.randomIndex(m - i);
                int c = perm[j];
                perm[j] = perm[i];
                perm[i] = c;
                if (mark[c] == epoch || !take(sc, c, got, ctx, excluding, filtered, now, figs, lowest)) {
                    perm[i] = perm[m - 1];
                    perm[m - 1] = c;
                    m--;
                    continue;
                }
                mark[c] = epoch;
                got++;
                i++;
            }
            if (lowest == null) return got;
            if (sc.best < 0) return 0;
            sc.cand[0] = sc.best;
            return 1;
        }

        /**
         * Whether candidate j passes (the request's exclusions, and the deferred filters when
         * {@code filtered}); if so it is counted: as cand[got] without {@code lowest}, else kept in
         * {@link Scratch#best} when its key is the lowest so far (the first drawn among equals).
         * With {@code figs} (the default chain's shape) the filter and the key are read from there.
         */
        private boolean take(Scratch sc, int j, int got, PickContext ctx, boolean excluding, boolean filtered, long now,
                             long[] figs, Candidacy.Order lowest) {
            double key;
            if (figs != null) {
                if (excluding && ctx.exclude().contains(bs[j])) return false;
                if (filtered) {
                    long at = ReportFigures.at(figs, j); // by-age's test, for the tightest bound
                    if (at == Backend.NO_REPORT || now - at > maxAgeNanos) return false;
                }
                key = ReportFigures.load(figs, j); // by-load's key
            } else {
                Backend b = bs[j];
                LoadReport r = b.loadReport(); // once: the filters and the key share it
                if (!passes(b, r, ctx, filtered)) return false;
                if (lowest == null) {
                    sc.cand[got] = j;
                    return true;
                }
                key = lowest.key(b, r);
            }
            if (sc.best < 0 || key < sc.bestKey) {
                sc.best = j;
                sc.bestKey = key;
            }
            return true;
        }

        /** The chain is one order step after filters (and by-random): the lowest of all, without a list. */
        private Backend lowestOfAll(PickContext ctx, Candidacy.Order o) {
            Backend b = lowestOfAll(ctx, o, true);
            return b == null && deferred.length > 0 ? lowestOfAll(ctx, o, false) : b;
        }

        private Backend lowestOfAll(PickContext ctx, Candidacy.Order o, boolean filtered) {
            int n = bs.length;
            // by-random before it: ties go to whoever comes first from a random start
            int start = random ? ctx.randomIndex(n) : 0;
            Backend best = null;
            double bestKey = 0;
            for (int t = 0; t < n; t++) {
                int j = start + t;
                if (j >= n) j -= n;
                Backend b = bs[j];
                LoadReport r = b.loadReport();
                if (!passes(b, r, ctx, filtered)) continue;
                double k = o.key(b, r);
                if (best == null || k < bestKey) {
                    best = b;
                    bestKey = k;
                }
            }
            return best;
        }

        /** Keeps what f keeps, in order; all of them when it would keep none. */
        private int filter(int[] cand, int count, Candidacy.Filter f, long now) {
            int kept = 0;
            for (int i = 0; i < count; i++) if (f.keep(bs[cand[i]], bs[cand[i]].loadReport(), now)) kept++;
            if (kept == 0 || kept == count) return count;
            int w = 0;
            for (int i = 0; i < count; i++) if (f.keep(bs[cand[i]], bs[cand[i]].loadReport(), now)) cand[w++] = cand[i];
            return w;
        }

        private static void shuffle(int[] cand, int count, PickContext ctx) {
            for (int i = count - 1; i > 0; i--) {
                int j = ctx.randomIndex(i + 1);
                int t = cand[i];
                cand[i] = cand[j];
                cand[j] = t;
            }
        }

        private double key(Candidacy.Order o, int j) {
            return o.key(bs[j], bs[j].loadReport());
        }

        private int lowest(int[] cand, int count, Candidacy.Order o) {
            int best = 0;
            double bestKey = key(o, cand[0]);
            for (int i = 1; i < count; i++) {
                double k = key(o, cand[i]);
                if (k < bestKey) {
                    best = i;
                    bestKey = k;
                }
            }
            return best;
        }

        /** Stable sort of cand[0..count) by key: insertion sort when short, else a bottom-up merge sort. */
        private void sort(Scratch sc, int count, Candidacy.Order o) {
            int[] cand = sc.cand;
            double[] keys = sc.keys;
            for (int i = 0; i < count; i++) keys[i] = key(o, cand[i]);
            if (count <= 24) {
                for (int i = 1; i < count; i++) {
                    int c = cand[i];
                    double k = keys[i];
                    int j = i - 1;
                    while (j >= 0 && keys[j] > k) {
                        cand[j + 1] = cand[j];
                        keys[j + 1] = keys[j];
                        j--;
                    }
                    cand[j + 1] = c;
                    keys[j + 1] = k;
                }
                return;
            }
            int[] a = cand, b = sc.tmp;
            double[] ka = keys, kb = sc.tmpKeys;
            for (int width = 1; width < count; width *= 2) {
                for (int lo = 0; lo < count; lo += 2 * width) {
                    int mid = Math.min(lo + width, count), hi = Math.min(lo + 2 * width, count);
                    int x = lo, y = mid, w = lo;
                    while (x < mid && y < hi) {
                        if (ka[y] < ka[x]) { b[w] = a[y]; kb[w++] = ka[y++]; } else { b[w] = a[x]; kb[w++] = ka[x++]; }
                    }
                    while (x < mid) { b[w] = a[x]; kb[w++] = ka[x++]; }
                    while (y < hi) { b[w] = a[y]; kb[w++] = ka[y++]; }
                }
                int[] ti = a; a = b; b = ti;
                double[] tk = ka; ka = kb; kb = tk;
            }
            if (a != cand) System.arraycopy(a, 0, cand, 0, count);
        }
    }
}
