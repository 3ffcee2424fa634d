package io.switchboard.sim;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendState;
import io.switchboard.balance.Algorithm;
import io.switchboard.balance.PickContext;
import io.switchboard.config.AdminState;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.ServerConfig;
import io.switchboard.dispatch.Outcome;
import io.switchboard.dispatch.PoolDispatch;
import io.switchboard.health.HealthPolicy;
import io.switchboard.health.OutlierDetector;
import io.switchboard.load.AgentState;
import io.switchboard.load.LoadReport;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import io.switchboard.registry.Transition;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.DoubleConsumer;
import org.HdrHistogram.Histogram;

/**
 * One run of a traffic scenario with one algorithm: clients send requests through the real core
 * {@link Pool} and {@link PoolDispatch} (pick, reserve, complete: the same calls the proxy's
 * exchange makes) to simulated servers, on a simulated clock.
 *
 * <p>The pool reads its clock from the engine ({@code nanoClock} is {@link #now}), and every change
 * the run makes is a core {@link Change} applied by the pool itself: passive failures come from
 * {@link PoolDispatch#complete} as in the proxy; ticks advance slow start and ejection expiry; probes
 * and agent reports are {@link Change.Probe} and {@link Change.Agent}. Without a registry, the pool
 * applies a change on the caller's thread at once, which is here the engine's, at the simulated time.
 *
 * <p>The request path allocates only the pick's {@link PickContext}: requests, servers and their
 * queues are slots in primitive arrays, events are ints in an {@link EventQueue}.
 *
 * <p>Two random streams: one for the workload (arrivals, service times, objects), seeded by the
 * scenario and sweep point only, so that every algorithm faces the same arrivals; one for the
 * picks, seeded per algorithm as well.
 *
 * <p>Model limits, stated: a request refused by the pool (no eligible back end, or every one at
 * max-connections) is counted as rejected rather than queued in the pool's {@code DispatchQueue};
 * a failed server refuses new requests after a 1 ms connect attempt while those it already holds
 * finish normally; responses carry no bytes (least-traffic sees requests only).
 *
 * <p>Threading: confined to the thread that calls {@link #run}; one engine per run.
 */
public final class TrafficEngine {
    private static final int KIND_SHIFT = 28;
    private static final int SUBJECT = (1 << KIND_SHIFT) - 1;
    private static final int ARRIVAL = 0, DONE = 1, FAILED = 2, TIMED = 3, TICK = 4, REPORT = 5, SAMPLE = 6, PROBE = 7;
    private static final long TICK_NANOS = 100_000_000L;
    private static final long CONNECT_FAIL_NANOS = 1_000_000L;
    private static final long MAX_LATENCY = 3_600_000_000_000L;

    private final Scenario scenario;
    private final String algorithmName;
    private final SplittableRandom work;
    private final SplittableRandom picks;
    private final EventQueue queue = new EventQueue(4096);
    private long now;
    /** The next open-loop arrival; never, for closed-loop clients (they are events). */
    private long nextArrival = Long.MAX_VALUE;

    private Pool pool;
    private PoolDispatch dispatch;

    // servers: struct of arrays
    private final int n;
    private final Backend[] backends;
    private final String[] names;
    private BackendIndex index;
    private final int[] groupOf;
    private final int[] busy;
    private final int[] capacity;
    private final int[] queueLimit;
    private final int[][] waiting;
    private final int[] waitHead;
    private final int[] waitSize;
    private final double[] speed;
    private final boolean[] down;
    private final Distribution[] service;
    private final Lru[] caches;

    // requests: struct of arrays, recycled through a free stack
    private long[] reqStart = new long[1024];
    private long[] reqDispatched = new long[1024];
    private int[] reqServer = new int[1024];
    private int[] reqClient = new int[1024];
    private int[] reqKey = new int[1024];
    private int[] reqAttempts = new int[1024];
    private int[] reqResolver = new int[1024];
    private Object[] reqExclude = new Object[1024];
    private int[] free = new int[1024];
    private int freeSize;
    private int allocated;

    // workload
    private final double[] zipfCdf;
    private final boolean closedLoop;
    // caching resolvers (null when clients pick through the pool directly)
    private final Scenario.Resolvers resolvers;
    /** Cumulative resolver sizes, normalised to 1 (open loop) and as counts (closed loop). */
    private final double[] resolverCdf;
    private final int[] resolverEnds;
    private final Backend[][] answers;
    private final long[] answerExpiry;
    private final boolean fixedArrivals;
    /** Mean nanoseconds between open-loop arrivals. */
    private final double meanGap;

    // measurements
    private final long warmup;
    private final long end;
    private final Histogram latency = new Histogram(MAX_LATENCY, 2);
    private final Histogram intervalLatency = new Histogram(MAX_LATENCY, 2);
    private long arrived, ok, failed, rejected, attemptsFailed, cacheHits, cacheLookups;
    private final long[] groupDispatched;
    private final long[] serverDispatched;
    private final long[] intervalServerDispatched;
    private double busiestIntervalShareMax;
    private long resolverQueries;
    private double busiestIntervalShareSum;
    private int intervals;
    private final long[] intervalGroupDispatched;
    private long intervalCompleted;
    private int ejections;
    private final List<double[]> series = new ArrayList<>();

    public TrafficEngine(Scenario scenario, String algorithm, long workSeed, long pickSeed) {
        if (scenario.kind() != Scenario.Kind.TRAFFIC) throw new IllegalArgumentException("not a traffic scenario: " + scenario.kind().word());
        if (scenario.clients() == null) throw new IllegalArgumentException("a traffic scenario needs clients");
        this.scenario = scenario;
        this.algorithmName = algorithm;
        this.work = new SplittableRandom(workSeed);
        this.picks = new SplittableRandom(pickSeed);
        this.warmup = scenario.traffic().warmupNanos();
        this.end = scenario.traffic().durationNanos();
        n = scenario.serverCount();
        backends = new Backend[n];
        names = new String[n];
        groupOf = new int[n];
        busy = new int[n];
        capacity = new int[n];
        queueLimit = new int[n];
        waiting = new int[n][];
        waitHead = new int[n];
        waitSize = new int[n];
        speed = new double[n];
        down = new boolean[n];
        service = new Distribution[n];
        caches = new Lru[n];
        groupDispatched = new long[scenario.servers().size()];
        serverDispatched = new long[n];
        intervalServerDispatched = new long[n];
        intervalGroupDispatched = new long[groupDispatched.length];
        Arrays.fill(speed, 1.0);
        zipfCdf = scenario.workload() == null ? null : zipf(scenario.workload());
        closedLoop = scenario.clients().mode() == Scenario.ClientMode.CLOSED;
        resolvers = scenario.resolvers();
        if (resolvers != null) {
            int k = resolvers.sizes().size();
            resolverCdf = new double[k];
            resolverEnds = new int[k];
            int sum = 0;
            for (int i = 0; i < k; i++) {
                sum += resolvers.sizes().get(i);
                resolverEnds[i] = sum;
            }
            for (int i = 0; i < k; i++) resolverCdf[i] = (double) resolverEnds[i] / sum;
            answers = new Backend[k][resolvers.records()];
            answerExpiry = new long[k];
        } else {
            resolverCdf = null;
            resolverEnds = null;
            answers = null;
            answerExpiry = null;
        }
        fixedArrivals = scenario.clients().arrivals() == Scenario.Arrivals.FIXED;
        meanGap = closedLoop ? 0 : 1e9 / scenario.clients().ratePerSecond();
    }

    private DoubleConsumer progress = f -> {};

    /** Told, once per time-series interval, the fraction of the run's simulated time done. */
    public TrafficEngine onProgress(DoubleConsumer fraction) {
        this.progress = fraction;
        return this;
    }

    /** The simulated clock, in nanoseconds since the run started. */
    public long now() {
        return now;
    }

    /** Runs to the scenario's end and returns what was measured. */
    public RunResult run() {
        buildPool();
        Scenario.Clients c = scenario.clients();
        if (c.mode() == Scenario.ClientMode.OPEN) {
            nextArrival = gap();
        } else {
            for (int i = 0; i < c.count(); i++) queue.push(think(), ARRIVAL << KIND_SHIFT | i);
        }
        for (int i = 0; i < scenario.events().size(); i++) queue.push(scenario.events().get(i).atNanos(), TIMED << KIND_SHIFT | i);
        if (scenario.pool().slowStartNanos() > 0 || scenario.pool().consecutiveFailures() > 0) queue.push(TICK_NANOS, TICK << KIND_SHIFT);
        if (scenario.loadReports() != null) {
            long interval = scenario.loadReports().intervalNanos();
            for (int s = 0; s < n; s++) queue.push(work.nextLong(interval), REPORT << KIND_SHIFT | s);
        }
        if (scenario.healthChecks() != null) queue.push(scenario.healthChecks().intervalNanos(), PROBE << KIND_SHIFT);
        queue.push(scenario.traffic().intervalNanos(), SAMPLE << KIND_SHIFT);
        loop();
        return result();
    }

    private void loop() {
        EventQueue q = queue;
        while (true) {
            // open-loop arrivals bypass the heap: one push and one pop per request fewer
            long t = q.isEmpty() ? Long.MAX_VALUE : q.peekTime();
            if (nextArrival <= t) {
                if (nextArrival >= end) break;
                now = nextArrival;
                nextArrival = now + gap();
                arrival(0);
                continue;
            }
            if (t >= end) break;
            int e = q.peekPayload();
            q.pop();
            now = t;
            int subject = e & SUBJECT;
            switch (e >>> KIND_SHIFT) {
                case ARRIVAL -> arrival(subject);
                case DONE -> done(subject);
                case FAILED -> attemptFailed(subject);
                case TIMED -> timed(scenario.events().get(subject));
                case TICK -> tick();
                case REPORT -> report(subject);
                case SAMPLE -> sample();
                case PROBE -> probe();
                default -> throw new IllegalStateException("unknown event " + e);
            }
        }
        now = end;
        latency.add(intervalLatency); // the last, partial interval
        intervalLatency.reset();
    }

    private void buildPool() {
        Scenario.PoolSpec p = scenario.pool();
        Scenario.HealthChecks hc = scenario.healthChecks();
        Pool.Settings settings = new Pool.Settings(p.slowStartNanos(), AllDownPolicy.FAIL,
                hc == null ? new HealthPolicy(2, 3) : new HealthPolicy(hc.rise(), hc.fall()), hc != null,
                new OutlierDetector(p.consecutiveFailures(), p.baseEjectionNanos(), p.maxEjectionNanos(), p.maxEjectionPercent()));
        Algorithm algorithm = Simulator.algorithm(algorithmName, p);
        pool = new Pool(scenario.name(), algorithm, settings, this::now, new SimulatedWallClock());
        List<ServerConfig> configs = new ArrayList<>(n);
        int s = 0;
        for (int g = 0; g < scenario.servers().size(); g++) {
            Scenario.ServerGroup group = scenario.servers().get(g);
            for (int i = 0; i < group.count(); i++, s++) {
                names[s] = group.name() + "-" + i;
                configs.add(new ServerConfig(names[s], "sim", 80, group.weight(), AdminState.READY, group.maxConnections()));
                groupOf[s] = g;
                capacity[s] = group.capacity();
                queueLimit[s] = group.queue();
                waiting[s] = new int[Math.min(Math.max(group.queue(), 1), 16)];
                service[s] = group.service();
                if (group.cache() != null) caches[s] = new Lru(group.cache().objects());
            }
        }
        pool.applyAll(Origin.FILE, List.of(new Change.Reconcile(configs)));
        for (int i = 0; i < n; i++) backends[i] = pool.backend(names[i]);
        index = new BackendIndex(backends);
        pool.addListener((pl, snapshot, transitions) -> {
            for (Transition t : transitions) {
                if (t.to() == BackendState.DOWN && t.from() != BackendState.DOWN) ejections++;
            }
        });
        dispatch = new PoolDispatch(pool);
    }

    // ---- requests

    private void arrival(int client) {
        int r = allocate();
        reqStart[r] = now;
        reqClient[r] = client;
        if (resolvers != null) reqResolver[r] = closedLoop ? clientResolver(client) : resolverOf(work.nextDouble());
        reqAttempts[r] = 0;
        reqExclude[r] = null;
        reqKey[r] = zipfCdf == null ? 0 : object();
        if (now >= warmup) arrived++;
        send(r);
    }

    private void send(int r) {
        @SuppressWarnings("unchecked")
        Set<Backend> exclude = (Set<Backend>) reqExclude[r];
        long hash = zipfCdf == null ? 0 : mix(reqKey[r]);
        PickContext pc = new PickContext(hash, now, picks, exclude);
        Backend b;
        if (resolvers == null) {
            b = dispatch.reserve(pc);
        } else {
            Backend address = resolved(reqResolver[r], hash, exclude);
            if (address == null) { // every address the client has failed it: the client sees an error
                if (now >= warmup) failed++;
                finish(r, false);
                return;
            }
            b = dispatch.reserve(address, pc);
        }
        if (b == null) {
            if (now >= warmup) rejected++;
            finish(r, false);
            return;
        }
        dispatch.charge(b, 1);
        int s = index.of(b);
        reqServer[r] = s;
        reqDispatched[r] = now;
        reqAttempts[r]++;
        if (now >= warmup) {
            groupDispatched[groupOf[s]]++;
            serverDispatched[s]++;
            intervalServerDispatched[s]++;
            intervalGroupDispatched[groupOf[s]]++;
        }
        if (down[s]) {
            queue.push(now + CONNECT_FAIL_NANOS, FAILED << KIND_SHIFT | r);
        } else if (busy[s] < capacity[s]) {
            start(r, s);
        } else if (waitSize[s] < queueLimit[s]) {
            enqueue(s, r);
        } else {
            queue.push(now, FAILED << KIND_SHIFT | r); // the server's own 503: its queue is full
        }
    }

    /**
     * The address a client of resolver {@code res} sends to: one of the resolver's cached answer,
     * asked again from the pool (the name server) when the answer's TTL has run out. A retry tries
     * the answer's other addresses, as a browser does, and none other: null when every address of
     * the answer already failed this request (or the name server had none to give).
     */
    private Backend resolved(int res, long hash, Set<Backend> exclude) {
        Backend[] answer = answers[res];
        if (now >= answerExpiry[res] || answer[0] == null) {
            boolean first = answer[0] == null;
            for (int k = 0; k < answer.length; k++) answer[k] = pool.pick(new PickContext(hash, now, picks, null));
            // the first answer is taken as cached some time ago: resolvers that all start empty
            // would otherwise expire in step for the whole run
            long ttl = resolvers.ttlNanos();
            answerExpiry[res] = now + (first ? (long) (ttl * work.nextDouble()) : ttl);
            if (now >= warmup) resolverQueries++;
        }
        int first = answer.length == 1 ? 0 : picks.nextInt(answer.length);
        for (int k = 0; k < answer.length; k++) {
            Backend b = answer[(first + k) % answer.length];
            if (b != null && (exclude == null || !exclude.contains(b))) return b;
        }
        return null;
    }

    private void start(int r, int s) {
        busy[s]++;
        long t;
        Lru cache = caches[s];
        if (cache != null) {
            Scenario.Cache spec = scenario.servers().get(groupOf[s]).cache();
            boolean hit = cache.touch(reqKey[r]);
            if (now >= warmup) {
                cacheLookups++;
                if (hit) cacheHits++;
            }
            t = (hit ? spec.hit() : spec.miss()).sample(work);
        } else {
            t = service[s].sample(work);
        }
        double f = speed[s];
        if (f != 1.0) t = (long) (t * f);
        queue.push(now + t, DONE << KIND_SHIFT | r);
    }

    private void done(int r) {
        int s = reqServer[r];
        busy[s]--;
        dispatch.complete(backends[s], Outcome.OK, now - reqDispatched[r], 0, 0, now, null);
        if (now >= warmup) {
            ok++;
            long l = Math.min(now - reqStart[r], MAX_LATENCY);
            intervalLatency.recordValue(l); // added to the run's total once per interval
            intervalCompleted++;
        }
        if (waitSize[s] > 0) start(dequeue(s), s);
        finish(r, true);
    }

    private void attemptFailed(int r) {
        int s = reqServer[r];
        dispatch.complete(backends[s], Outcome.CONNECT_FAILED, -1, 0, 0, now, "simulated failure");
        if (now >= warmup) attemptsFailed++;
        if (reqAttempts[r] <= scenario.pool().retries()) {
            @SuppressWarnings("unchecked")
            Set<Backend> before = (Set<Backend>) reqExclude[r];
            Set<Backend> exclude = before == null ? Set.of(backends[s]) : plus(before, backends[s]);
            reqExclude[r] = exclude;
            send(r);
            return;
        }
        if (now >= warmup) failed++;
        finish(r, false);
    }

    private static Set<Backend> plus(Set<Backend> set, Backend b) {
        Set<Backend> out = Collections.newSetFromMap(new IdentityHashMap<>());
        out.addAll(set);
        out.add(b);
        return out;
    }

    /**
     * A closed-loop client thinks, then sends its next request; after a refusal it waits at least
     * {@link #CONNECT_FAIL_NANOS}, so that clients without think time facing a farm that refuses
     * everything still let simulated time advance.
     */
    private void finish(int r, boolean served) {
        if (closedLoop) {
            long wait = think();
            if (!served) wait = Math.max(wait, CONNECT_FAIL_NANOS);
            queue.push(now + wait, ARRIVAL << KIND_SHIFT | reqClient[r]);
        }
        reqExclude[r] = null;
        release(r);
    }

    // ---- things that happen

    private void timed(Scenario.TimedEvent e) {
        int g = -1;
        for (int i = 0; i < scenario.servers().size(); i++) if (scenario.servers().get(i).name().equals(e.group())) g = i;
        for (int s = 0; s < n; s++) {
            if (groupOf[s] != g) continue;
            switch (e.action()) {
                case FAIL -> down[s] = true;
                case RECOVER -> {
                    down[s] = false;
                    speed[s] = 1.0;
                }
                case SLOW -> speed[s] = e.factor();
            }
        }
    }

    private void tick() {
        if (pool.needsTick()) pool.apply(Origin.CLOCK, new Change.Tick());
        queue.push(now + TICK_NANOS, TICK << KIND_SHIFT);
    }

    private void report(int s) {
        int queued = waitSize[s];
        LoadReport r = new LoadReport(now, 0, Math.min(1.0, (double) busy[s] / capacity[s]), Double.NaN, LoadReport.UNKNOWN,
                LoadReport.UNKNOWN, LoadReport.UNKNOWN, LoadReport.UNKNOWN, busy[s] + queued, Math.max(0, capacity[s] - busy[s]),
                LoadReport.UNKNOWN, LoadReport.UNKNOWN, AgentState.NONE);
        pool.apply(Origin.AGENT, new Change.Agent(names[s], r));
        queue.push(now + scenario.loadReports().intervalNanos(), REPORT << KIND_SHIFT | s);
    }

    private void probe() {
        List<Change> probes = new ArrayList<>(n);
        for (int s = 0; s < n; s++) probes.add(new Change.Probe(names[s], !down[s], down[s] ? "refused" : "200"));
        pool.applyAll(Origin.PROBE, probes);
        queue.push(now + scenario.healthChecks().intervalNanos(), PROBE << KIND_SHIFT);
    }

    private void sample() {
        long interval = scenario.traffic().intervalNanos();
        if (now > warmup) {
            int groups = groupDispatched.length;
            double[] row = new double[4 + groups];
            row[0] = now / 1e9;
            row[1] = intervalCompleted * 1e9 / interval;
            row[2] = intervalLatency.getTotalCount() == 0 ? Double.NaN : intervalLatency.getValueAtPercentile(99) / 1e6;
            long total = 0;
            for (long d : intervalGroupDispatched) total += d;
            for (int g = 0; g < groups; g++) row[3 + g] = total == 0 ? 0 : (double) intervalGroupDispatched[g] / total;
            long most = 0;
            for (long d : intervalServerDispatched) most = Math.max(most, d);
            double busiest = total == 0 ? 0 : (double) most / total;
            row[3 + groups] = busiest;
            busiestIntervalShareMax = Math.max(busiestIntervalShareMax, busiest);
            busiestIntervalShareSum += busiest;
            intervals++;
            series.add(row);
        }
        latency.add(intervalLatency);
        intervalLatency.reset();
        intervalCompleted = 0;
        Arrays.fill(intervalGroupDispatched, 0);
        Arrays.fill(intervalServerDispatched, 0);
        queue.push(now + interval, SAMPLE << KIND_SHIFT);
        progress.accept((double) now / end);
    }

    // ---- server queues

    private void enqueue(int s, int r) {
        int[] ring = waiting[s];
        if (waitSize[s] == ring.length) {
            int[] bigger = new int[ring.length * 2];
            for (int i = 0; i < waitSize[s]; i++) bigger[i] = ring[(waitHead[s] + i) % ring.length];
            waiting[s] = ring = bigger;
            waitHead[s] = 0;
        }
        ring[(waitHead[s] + waitSize[s]) % ring.length] = r;
        waitSize[s]++;
    }

    private int dequeue(int s) {
        int[] ring = waiting[s];
        int r = ring[waitHead[s]];
        waitHead[s] = (waitHead[s] + 1) % ring.length;
        waitSize[s]--;
        return r;
    }

    // ---- request slots

    private int allocate() {
        if (freeSize > 0) return free[--freeSize];
        if (allocated == reqStart.length) {
            int m = allocated * 2;
            if (m > SUBJECT) throw new IllegalStateException("more than " + SUBJECT + " requests in flight");
            reqStart = Arrays.copyOf(reqStart, m);
            reqDispatched = Arrays.copyOf(reqDispatched, m);
            reqServer = Arrays.copyOf(reqServer, m);
            reqClient = Arrays.copyOf(reqClient, m);
            reqKey = Arrays.copyOf(reqKey, m);
            reqAttempts = Arrays.copyOf(reqAttempts, m);
            reqResolver = Arrays.copyOf(reqResolver, m);
            reqExclude = Arrays.copyOf(reqExclude, m);
            free = Arrays.copyOf(free, m);
        }
        return allocated++;
    }

    private void release(int r) {
        free[freeSize++] = r;
    }

    // ---- workload

    private long gap() {
        if (fixedArrivals) return Math.max(1, (long) meanGap);
        return Math.max(1, (long) (meanGap * work.nextExponential()));
    }

    private long think() {
        Distribution d = scenario.clients().think();
        return d == null ? 0 : d.sample(work);
    }

    /** Closed loop: client k belongs to the resolver its index falls to, cycling through the sizes. */
    private int clientResolver(int client) {
        int total = resolverEnds[resolverEnds.length - 1];
        int i = Arrays.binarySearch(resolverEnds, client % total + 1);
        return i >= 0 ? i : -i - 1;
    }

    /** Open loop: a resolver with probability proportional to its size. */
    private int resolverOf(double u) {
        int i = Arrays.binarySearch(resolverCdf, u);
        return Math.min(i >= 0 ? i + 1 : -i - 1, resolverCdf.length - 1);
    }

    private int object() {
        double u = work.nextDouble();
        int i = Arrays.binarySearch(zipfCdf, u);
        return i >= 0 ? i : Math.min(-i - 1, zipfCdf.length - 1);
    }

    private static double[] zipf(Scenario.Workload w) {
        double[] cdf = new double[w.objects()];
        double sum = 0;
        for (int k = 0; k < cdf.length; k++) {
            sum += 1 / Math.pow(k + 1, w.zipf());
            cdf[k] = sum;
        }
        for (int k = 0; k < cdf.length; k++) cdf[k] /= sum;
        return cdf;
    }

    /** The request's affinity hash for an object (SplitMix64's finalizer: neighbours land far apart). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    // ---- results

    private RunResult result() {
        long measured = end - warmup;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("requests", (double) arrived);
        m.put("ok", (double) ok);
        m.put("failed", (double) failed);
        m.put("rejected", (double) rejected);
        m.put("failed-attempts", (double) attemptsFailed);
        m.put("throughput-per-s", ok * 1e9 / measured);
        boolean any = latency.getTotalCount() > 0;
        m.put("latency-mean-ms", any ? latency.getMean() / 1e6 : Double.NaN);
        m.put("latency-p50-ms", any ? latency.getValueAtPercentile(50) / 1e6 : Double.NaN);
        m.put("latency-p99-ms", any ? latency.getValueAtPercentile(99) / 1e6 : Double.NaN);
        m.put("latency-p999-ms", any ? latency.getValueAtPercentile(99.9) / 1e6 : Double.NaN);
        long total = 0;
        for (long d : groupDispatched) total += d;
        for (int g = 0; g < groupDispatched.length; g++) {
            m.put("share-" + scenario.servers().get(g).name(), total == 0 ? 0 : (double) groupDispatched[g] / total);
        }
        long most = 0;
        for (long d : serverDispatched) most = Math.max(most, d);
        m.put("busiest-server-share", total == 0 ? 0 : (double) most / total);
        // what NCSA saw: in one interval, one server answering most requests
        m.put("busiest-interval-share-mean", intervals == 0 ? Double.NaN : busiestIntervalShareSum / intervals);
        m.put("busiest-interval-share-max", busiestIntervalShareMax);
        if (resolvers != null) m.put("resolver-queries", (double) resolverQueries);
        m.put("ejections", (double) ejections);
        if (cacheLookups > 0) m.put("cache-hit-rate", (double) cacheHits / cacheLookups);
        List<String> columns = new ArrayList<>(List.of("time-s", "throughput-per-s", "p99-ms"));
        for (Scenario.ServerGroup g : scenario.servers()) columns.add("share-" + g.name());
        columns.add("busiest-share");
        return new RunResult(algorithmName, m, columns, List.copyOf(series));
    }

    /** Per-server LRU of object ids (cache model for locality-aware scenarios); access-ordered. */
    private static final class Lru extends LinkedHashMap<Integer, Boolean> {
        private final int limit;

        Lru(int limit) {
            super(16, 0.75f, true);
            this.limit = limit;
        }

        /** Whether the object was cached; it is afterwards. */
        boolean touch(int object) {
            return put(object, Boolean.TRUE) != null;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
            return size() > limit;
        }
    }

    /** Wall time for the pool's transition records: the epoch plus the simulated clock. */
    private final class SimulatedWallClock implements InstantSource {
        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(0, now);
        }
    }
}
