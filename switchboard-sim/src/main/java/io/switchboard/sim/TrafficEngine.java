package io.switchboard.sim;

import static io.switchboard.sim.ScenarioClock.ARRIVAL;
import static io.switchboard.sim.ScenarioClock.DONE;
import static io.switchboard.sim.ScenarioClock.FAILED;
import static io.switchboard.sim.ScenarioClock.OPEN_ARRIVAL;
import static io.switchboard.sim.ScenarioClock.PROBE;
import static io.switchboard.sim.ScenarioClock.REPORT;
import static io.switchboard.sim.ScenarioClock.SAMPLE;
import static io.switchboard.sim.ScenarioClock.TICK;
import static io.switchboard.sim.ScenarioClock.TIMED;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.DoubleConsumer;

/**
 * One run of a traffic scenario with one algorithm: clients send requests through the real core
 * {@link Pool} and {@link PoolDispatch} (pick, reserve, complete: the same calls the proxy's
 * exchange makes) to simulated servers, on a simulated clock.
 *
 * <p>The pool reads its clock from the engine's {@link ScenarioClock} ({@code nanoClock} is
 * {@link #now}), and every change the run makes is a core {@link Change} applied by the pool itself:
 * passive failures come from {@link PoolDispatch#complete} as in the proxy; ticks advance slow start
 * and ejection expiry; probes and agent reports are {@link Change.Probe} and {@link Change.Agent}.
 * Without a registry, the pool applies a change on the caller's thread at once, which is here the
 * engine's, at the simulated time.
 *
 * <p>The request path allocates only the pick's {@link PickContext}: requests, servers and their
 * queues are slots in primitive arrays, events are ints scheduled on the {@link ScenarioClock}.
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
 * <p>The engine models the servers, the requests and the resolvers' caches, and wires them to the
 * pool; the time and the events to come are the {@link ScenarioClock}'s, what clients ask for is
 * drawn by the {@link TrafficWorkload}, and what the run measures is kept by the
 * {@link TrafficMeasurements}.
 *
 * <p>Threading: confined to the thread that calls {@link #run}; one engine per run.
 */
public final class TrafficEngine {
    private static final long TICK_NANOS = 100_000_000L;
    private static final long CONNECT_FAIL_NANOS = 1_000_000L;

    private final Scenario scenario;
    private final String algorithmName;
    private final SplittableRandom work;
    private final SplittableRandom picks;
    private final ScenarioClock clock;
    private final long end;
    private final TrafficMeasurements measured;

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

    private final TrafficWorkload workload;
    private final boolean closedLoop;
    // caching resolvers (null when clients pick through the pool directly)
    private final Scenario.Resolvers resolvers;
    private final Backend[][] answers;
    private final long[] answerExpiry;

    public TrafficEngine(Scenario scenario, String algorithm, long workSeed, long pickSeed) {
        if (scenario.kind() != Scenario.Kind.TRAFFIC) throw new IllegalArgumentException("not a traffic scenario: " + scenario.kind().word());
        if (scenario.clients() == null) throw new IllegalArgumentException("a traffic scenario needs clients");
        this.scenario = scenario;
        this.algorithmName = algorithm;
        this.work = new SplittableRandom(workSeed);
        this.picks = new SplittableRandom(pickSeed);
        this.end = scenario.traffic().durationNanos();
        this.clock = new ScenarioClock(end);
        this.measured = new TrafficMeasurements(scenario);
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
        Arrays.fill(speed, 1.0);
        workload = new TrafficWorkload(scenario, work);
        closedLoop = scenario.clients().mode() == Scenario.ClientMode.CLOSED;
        resolvers = scenario.resolvers();
        answers = resolvers == null ? null : new Backend[resolvers.sizes().size()][resolvers.records()];
        answerExpiry = resolvers == null ? null : new long[resolvers.sizes().size()];
    }

    private DoubleConsumer progress = f -> {};

    /** Told, once per time-series interval, the fraction of the run's simulated time done. */
    public TrafficEngine onProgress(DoubleConsumer fraction) {
        this.progress = fraction;
        return this;
    }

    /** The simulated clock, in nanoseconds since the run started. */
    public long now() {
        return clock.now();
    }

    /** Runs to the scenario's end and returns what was measured. */
    public RunResult run() {
        buildPool();
        Scenario.Clients c = scenario.clients();
        if (c.mode() == Scenario.ClientMode.OPEN) {
            clock.nextArrival(workload.gap());
        } else {
            for (int i = 0; i < c.count(); i++) clock.at(workload.think(), ARRIVAL, i);
        }
        for (int i = 0; i < scenario.events().size(); i++) clock.at(scenario.events().get(i).atNanos(), TIMED, i);
        if (scenario.pool().slowStartNanos() > 0 || scenario.pool().consecutiveFailures() > 0) clock.at(TICK_NANOS, TICK, 0);
        if (scenario.loadReports() != null) {
            long interval = scenario.loadReports().intervalNanos();
            for (int s = 0; s < n; s++) clock.at(work.nextLong(interval), REPORT, s);
        }
        if (scenario.healthChecks() != null) clock.at(scenario.healthChecks().intervalNanos(), PROBE, 0);
        clock.at(scenario.traffic().intervalNanos(), SAMPLE, 0);
        loop();
        return measured.result(algorithmName);
    }

    private void loop() {
        ScenarioClock c = clock;
        for (int e = c.next(); e != ScenarioClock.END; e = c.next()) {
            int subject = ScenarioClock.subject(e);
            switch (ScenarioClock.kind(e)) {
                case OPEN_ARRIVAL -> {
                    c.nextArrival(c.now() + workload.gap());
                    arrival(0);
                }
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
        measured.endOfRun();
    }

    private void buildPool() {
        Scenario.PoolSpec p = scenario.pool();
        Scenario.HealthChecks hc = scenario.healthChecks();
        Pool.Settings settings = new Pool.Settings(p.slowStartNanos(), AllDownPolicy.FAIL,
                hc == null ? new HealthPolicy(2, 3) : new HealthPolicy(hc.rise(), hc.fall()), hc != null,
                new OutlierDetector(p.consecutiveFailures(), p.baseEjectionNanos(), p.maxEjectionNanos(), p.maxEjectionPercent()));
        Algorithm algorithm = Simulator.algorithm(algorithmName, p);
        pool = new Pool(scenario.name(), algorithm, settings, clock::now, clock.wallClock());
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
                if (t.to() == BackendState.DOWN && t.from() != BackendState.DOWN) measured.ejected();
            }
        });
        dispatch = new PoolDispatch(pool);
    }

    // ---- requests

    private void arrival(int client) {
        int r = allocate();
        reqStart[r] = clock.now();
        reqClient[r] = client;
        if (resolvers != null) reqResolver[r] = workload.resolver(client);
        reqAttempts[r] = 0;
        reqExclude[r] = null;
        reqKey[r] = workload.object();
        measured.arrived(clock.now());
        send(r);
    }

    private void send(int r) {
        @SuppressWarnings("unchecked")
        Set<Backend> exclude = (Set<Backend>) reqExclude[r];
        long hash = workload.hash(reqKey[r]);
        PickContext pc = new PickContext(hash, clock.now(), picks, exclude);
        Backend b;
        if (resolvers == null) {
            b = dispatch.reserve(pc);
        } else {
            Backend address = resolved(reqResolver[r], hash, exclude);
            if (address == null) { // every address the client has failed it: the client sees an error
                measured.failed(clock.now());
                finish(r, false);
                return;
            }
            b = dispatch.reserve(address, pc);
        }
        if (b == null) {
            measured.rejected(clock.now());
            finish(r, false);
            return;
        }
        dispatch.charge(b, 1);
        int s = index.of(b);
        reqServer[r] = s;
        reqDispatched[r] = clock.now();
        reqAttempts[r]++;
        measured.dispatched(clock.now(), s, groupOf[s]);
        if (down[s]) {
            clock.after(CONNECT_FAIL_NANOS, FAILED, r);
        } else if (busy[s] < capacity[s]) {
            start(r, s);
        } else if (waitSize[s] < queueLimit[s]) {
            enqueue(s, r);
        } else {
            clock.after(0, FAILED, r); // the server's own 503: its queue is full
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
        if (clock.now() >= answerExpiry[res] || answer[0] == null) {
            boolean first = answer[0] == null;
            for (int k = 0; k < answer.length; k++) answer[k] = pool.pick(new PickContext(hash, clock.now(), picks, null));
            // the first answer is taken as cached some time ago: resolvers that all start empty
            // would otherwise expire in step for the whole run
            long ttl = resolvers.ttlNanos();
            answerExpiry[res] = clock.now() + (first ? (long) (ttl * work.nextDouble()) : ttl);
            measured.resolverQueried(clock.now());
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
            measured.cacheLookup(clock.now(), hit);
            t = (hit ? spec.hit() : spec.miss()).sample(work);
        } else {
            t = service[s].sample(work);
        }
        double f = speed[s];
        if (f != 1.0) t = (long) (t * f);
        clock.after(t, DONE, r);
    }

    private void done(int r) {
        int s = reqServer[r];
        busy[s]--;
        dispatch.complete(backends[s], Outcome.OK, clock.now() - reqDispatched[r], 0, 0, clock.now(), null);
        measured.completed(clock.now(), clock.now() - reqStart[r]);
        if (waitSize[s] > 0) start(dequeue(s), s);
        finish(r, true);
    }

    private void attemptFailed(int r) {
        int s = reqServer[r];
        dispatch.complete(backends[s], Outcome.CONNECT_FAILED, -1, 0, 0, clock.now(), "simulated failure");
        measured.attemptFailed(clock.now());
        if (reqAttempts[r] <= scenario.pool().retries()) {
            @SuppressWarnings("unchecked")
            Set<Backend> before = (Set<Backend>) reqExclude[r];
            Set<Backend> exclude = before == null ? Set.of(backends[s]) : plus(before, backends[s]);
            reqExclude[r] = exclude;
            send(r);
            return;
        }
        measured.failed(clock.now());
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
            long wait = workload.think();
            if (!served) wait = Math.max(wait, CONNECT_FAIL_NANOS);
            clock.after(wait, ARRIVAL, reqClient[r]);
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
        clock.after(TICK_NANOS, TICK, 0);
    }

    private void report(int s) {
        int queued = waitSize[s];
        LoadReport r = new LoadReport(clock.now(), 0, Math.min(1.0, (double) busy[s] / capacity[s]), Double.NaN, LoadReport.UNKNOWN,
                LoadReport.UNKNOWN, LoadReport.UNKNOWN, LoadReport.UNKNOWN, busy[s] + queued, Math.max(0, capacity[s] - busy[s]),
                LoadReport.UNKNOWN, LoadReport.UNKNOWN, AgentState.NONE);
        pool.apply(Origin.AGENT, new Change.Agent(names[s], r));
        clock.after(scenario.loadReports().intervalNanos(), REPORT, s);
    }

    private void probe() {
        List<Change> probes = new ArrayList<>(n);
        for (int s = 0; s < n; s++) probes.add(new Change.Probe(names[s], !down[s], down[s] ? "refused" : "200"));
        pool.applyAll(Origin.PROBE, probes);
        clock.after(scenario.healthChecks().intervalNanos(), PROBE, 0);
    }


    private void sample() {
        long interval = scenario.traffic().intervalNanos();
        measured.sample(clock.now(), interval);
        clock.after(interval, SAMPLE, 0);
        progress.accept((double) clock.now() / end);
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
            if (m > ScenarioClock.SUBJECT) throw new IllegalStateException("more than " + ScenarioClock.SUBJECT + " requests in flight");
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

}
