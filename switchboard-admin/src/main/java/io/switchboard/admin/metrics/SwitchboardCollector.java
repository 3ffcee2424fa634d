package io.switchboard.admin.metrics;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.netty.util.internal.PlatformDependent;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.switchboard.admin.stats.BackendTraffic;
import io.switchboard.admin.stats.LatencyHistogram;
import io.switchboard.admin.stats.Traffic;
import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.backend.BackendState;
import io.switchboard.backend.Member;
import io.switchboard.cluster.ClusterStatus;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.persist.PersistenceState;
import io.switchboard.persist.StickTable;
import io.switchboard.proxy.AccessLog;
import io.switchboard.proxy.ListenerCounters;
import io.switchboard.load.ReportCodec;
import io.switchboard.dns.DnsStats;
import io.switchboard.proxy.feedback.LoadReportCounters;
import io.switchboard.registry.Pool;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Switchboard's own metrics, built at each scrape from the pools' snapshots, the back ends' and
 * listeners' live counters and the admin plane's {@link Traffic}: nothing is double-counted and nothing on the
 * request path knows about Prometheus.
 *
 * <p>Names follow the Prometheus conventions: {@code switchboard_} prefix, base units
 * ({@code _seconds}, {@code _bytes}), counters exposed with {@code _total}. Every metric is listed
 * with its labels in {@code docs/admin-api.md}.
 *
 * <p>Threading: {@link #collect} runs on the scraping thread (the admin worker) and only reads.
 */
public final class SwitchboardCollector implements MultiCollector {
    private static final double[] BOUNDS;

    static {
        double[] finite = LatencyHistogram.boundsSeconds();
        BOUNDS = Arrays.copyOf(finite, finite.length + 1);
        BOUNDS[finite.length] = Double.POSITIVE_INFINITY;
    }

    private final Supplier<Map<String, Pool>> pools;
    private final Traffic traffic;
    private final Supplier<AccessLog> accessLog;
    private final ToIntFunction<Pool> queueLength;
    private final Function<Pool, Map<String, Integer>> queuedByClass;
    private final Supplier<List<ListenerCounters>> listeners;
    private final Supplier<PersistenceState> persistence;
    private final Supplier<SessionTable> sessions;
    private final Supplier<LoadReportCounters> loadReports;
    private final Supplier<DnsStats> dns;
    private final Supplier<ClusterStatus> cluster;

    /**
     * @param queueLength requests waiting in a pool's queue for a back end below its max-connections
     * @param listeners the listeners' connection and refusal counters
     */
    public SwitchboardCollector(Supplier<Map<String, Pool>> pools, Traffic traffic, Supplier<AccessLog> accessLog,
                                ToIntFunction<Pool> queueLength, Supplier<List<ListenerCounters>> listeners) {
        this(pools, traffic, accessLog, queueLength, p -> Map.of(), listeners, () -> null);
    }

    /**
     * @param queuedByClass the same per service class, most urgent first
     * @param persistence the pools' session persistence (may supply null: no persistence metrics)
     */
    public SwitchboardCollector(Supplier<Map<String, Pool>> pools, Traffic traffic, Supplier<AccessLog> accessLog,
                                ToIntFunction<Pool> queueLength, Function<Pool, Map<String, Integer>> queuedByClass,
                                Supplier<List<ListenerCounters>> listeners, Supplier<PersistenceState> persistence) {
        this(pools, traffic, accessLog, queueLength, queuedByClass, listeners, persistence, () -> null);
    }

    /** @param sessions the TCP listeners' binding table (may supply null: no session metrics) */
    public SwitchboardCollector(Supplier<Map<String, Pool>> pools, Traffic traffic, Supplier<AccessLog> accessLog,
                                ToIntFunction<Pool> queueLength, Function<Pool, Map<String, Integer>> queuedByClass,
                                Supplier<List<ListenerCounters>> listeners, Supplier<PersistenceState> persistence,
                                Supplier<SessionTable> sessions) {
        this(pools, traffic, accessLog, queueLength, queuedByClass, listeners, persistence, sessions, () -> null);
    }

    /** @param loadReports what became of pushed load reports and agent-check pulls (may supply null: no such metrics) */
    public SwitchboardCollector(Supplier<Map<String, Pool>> pools, Traffic traffic, Supplier<AccessLog> accessLog,
                                ToIntFunction<Pool> queueLength, Function<Pool, Map<String, Integer>> queuedByClass,
                                Supplier<List<ListenerCounters>> listeners, Supplier<PersistenceState> persistence,
                                Supplier<SessionTable> sessions, Supplier<LoadReportCounters> loadReports) {
        this(pools, traffic, accessLog, queueLength, queuedByClass, listeners, persistence, sessions, loadReports, () -> null);
    }

    /** @param dns the authoritative DNS server's counters (may supply null: no DNS metrics) */
    public SwitchboardCollector(Supplier<Map<String, Pool>> pools, Traffic traffic, Supplier<AccessLog> accessLog,
                                ToIntFunction<Pool> queueLength, Function<Pool, Map<String, Integer>> queuedByClass,
                                Supplier<List<ListenerCounters>> listeners, Supplier<PersistenceState> persistence,
                                Supplier<SessionTable> sessions, Supplier<LoadReportCounters> loadReports,
                                Supplier<DnsStats> dns) {
        this(pools, traffic, accessLog, queueLength, queuedByClass, listeners, persistence, sessions, loadReports, dns, () -> null);
    }

    /** @param cluster this node's view of its cluster of balancers (may supply null: no cluster metrics) */
    public SwitchboardCollector(Supplier<Map<String, Pool>> pools, Traffic traffic, Supplier<AccessLog> accessLog,
                                ToIntFunction<Pool> queueLength, Function<Pool, Map<String, Integer>> queuedByClass,
                                Supplier<List<ListenerCounters>> listeners, Supplier<PersistenceState> persistence,
                                Supplier<SessionTable> sessions, Supplier<LoadReportCounters> loadReports,
                                Supplier<DnsStats> dns, Supplier<ClusterStatus> cluster) {
        this.cluster = cluster;
        this.dns = dns;
        this.loadReports = loadReports;
        this.sessions = sessions;
        this.queuedByClass = queuedByClass;
        this.persistence = persistence;
        this.pools = pools;
        this.traffic = traffic;
        this.accessLog = accessLog;
        this.queueLength = queueLength;
        this.listeners = listeners;
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, Pool> live = pools.get();
        for (Pool p : live.values()) {
            for (Member m : p.snapshot().backends().members()) traffic.of(p.name(), m.backend().name()); // zeros are series too
        }

        CounterSnapshot.Builder requests = counter("switchboard_requests", "Finished requests by pool, back end (\"-\": none was chosen) and status class (\"other\": no response)");
        HistogramSnapshot.Builder duration = HistogramSnapshot.builder().name("switchboard_request_duration_seconds")
                .help("Time from the request's first byte to the response's last, by pool and back end");
        CounterSnapshot.Builder retries = counter("switchboard_retries", "Extra attempts on another back end, by pool and the back end the request ended on");
        CounterSnapshot.Builder ejections = counter("switchboard_backend_ejections", "Times passive health ejected the back end after consecutive failures");
        long[] perBucket = new long[LatencyHistogram.buckets()];
        for (Map.Entry<String, Map<String, BackendTraffic>> pe : traffic.all().entrySet()) {
            for (Map.Entry<String, BackendTraffic> be : pe.getValue().entrySet()) {
                Labels labels = Labels.of("pool", pe.getKey(), "backend", be.getKey());
                BackendTraffic t = be.getValue();
                for (int c = 0; c < BackendTraffic.STATUS_CLASSES.length; c++) {
                    requests.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                            .labels(labels.add("status_class", BackendTraffic.STATUS_CLASSES[c])).value(t.requests(c)).build());
                }
                long sumMicros = t.latency().snapshot(perBucket);
                duration.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(labels)
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, perBucket.clone()))
                        .sum(sumMicros / 1e6).build());
                retries.dataPoint(counter(labels, t.retries()));
                if (!be.getKey().equals(Traffic.NONE)) ejections.dataPoint(counter(labels, t.ejections()));
            }
        }

        GaugeSnapshot.Builder inFlight = gauge("switchboard_backend_in_flight", "Requests dispatched to the back end and not finished");
        CounterSnapshot.Builder attempts = counter("switchboard_backend_attempts", "Requests dispatched to the back end, retries included");
        CounterSnapshot.Builder failures = counter("switchboard_backend_failures", "Failed attempts: connect failures, resets, timeouts, invalid responses, and 5xx when passive health counts them");
        CounterSnapshot.Builder bytesIn = counter("switchboard_backend_request_bytes", "Request body bytes forwarded to the back end");
        CounterSnapshot.Builder bytesOut = counter("switchboard_backend_response_bytes", "Response body bytes received from the back end and sent to clients");
        GaugeSnapshot.Builder state = gauge("switchboard_backend_state",
                "1 for the back end's current state (up, down, drain, maint), 0 for the others");
        GaugeSnapshot.Builder weight = gauge("switchboard_backend_weight", "Configured weight");
        GaugeSnapshot.Builder effective = gauge("switchboard_backend_effective_weight",
                "Weight in effect (below the configured weight during slow start; 0 when not eligible)");
        GaugeSnapshot.Builder poolInFlight = gauge("switchboard_pool_in_flight", "Requests in flight to the pool's back ends");
        GaugeSnapshot.Builder poolQueue = gauge("switchboard_pool_queue_length",
                "Requests waiting for a back end below its max-connections (the pool's queue)");
        GaugeSnapshot.Builder classQueue = gauge("switchboard_pool_class_queue_length",
                "Requests of one service class waiting in the pool's queue");
        GaugeSnapshot.Builder poolBackends = gauge("switchboard_pool_backends", "Back ends in the pool");
        GaugeSnapshot.Builder poolEligible = gauge("switchboard_pool_eligible_backends", "Back ends that may receive new requests");
        GaugeSnapshot.Builder poolPanic = gauge("switchboard_pool_panic",
                "1 when no back end is up and when-all-down: ignore-health sends to all of them");
        for (Pool p : live.values()) {
            BackendSet set = p.snapshot().backends();
            Labels pl = Labels.of("pool", p.name());
            poolInFlight.dataPoint(gaugePoint(pl, p.inFlight()));
            poolQueue.dataPoint(gaugePoint(pl, queueLength.applyAsInt(p)));
            for (Map.Entry<String, Integer> c : queuedByClass.apply(p).entrySet()) {
                classQueue.dataPoint(gaugePoint(Labels.of("pool", p.name(), "class", c.getKey()), c.getValue()));
            }
            poolBackends.dataPoint(gaugePoint(pl, set.members().size()));
            poolEligible.dataPoint(gaugePoint(pl, set.size()));
            poolPanic.dataPoint(gaugePoint(pl, set.panic() ? 1 : 0));
            for (Member m : set.members()) {
                Backend b = m.backend();
                Labels bl = Labels.of("pool", p.name(), "backend", b.name());
                inFlight.dataPoint(gaugePoint(bl, b.inFlight()));
                attempts.dataPoint(counter(bl, b.requests()));
                failures.dataPoint(counter(bl, b.failures()));
                bytesIn.dataPoint(counter(bl, b.bytesIn()));
                bytesOut.dataPoint(counter(bl, b.bytesOut()));
                for (BackendState s : BackendState.values()) {
                    state.dataPoint(gaugePoint(bl.add("state", s.label()), m.state() == s ? 1 : 0));
                }
                weight.dataPoint(gaugePoint(bl, m.weight()));
                effective.dataPoint(gaugePoint(bl, m.weightForNewRequests()));
            }
        }

        AccessLog log = accessLog.get();
        GaugeSnapshot.Builder logQueue = gauge("switchboard_access_log_queue_length",
                "Access log records waiting for the writer thread");
        logQueue.dataPoint(gaugePoint(Labels.EMPTY, log == null ? 0 : log.pending()));
        CounterSnapshot.Builder logDropped = counter("switchboard_access_log_dropped", "Access log records dropped because the writer fell behind");
        logDropped.dataPoint(counter(Labels.EMPTY, log == null ? 0 : log.droppedTotal()));

        MetricSnapshots.Builder out = MetricSnapshots.builder();
        for (var b : new MetricSnapshot.Builder<?>[] {requests, duration, retries, ejections, inFlight, attempts,
                failures, bytesIn, bytesOut, state, weight, effective, poolInFlight, poolQueue, classQueue, poolBackends,
                poolEligible, poolPanic, logQueue, logDropped}) {
            out.metricSnapshot(b.build());
        }
        listeners(out);
        persistence(live, out);
        sessions(out);
        loadReports(out);
        dns(out);
        cluster(out);
        netty(out);
        return out.build();
    }

    /** Per listener: connections open, closed at accept by a limit, requests the proxy refused itself. */
    private void listeners(MetricSnapshots.Builder out) {
        GaugeSnapshot.Builder open = gauge("switchboard_listener_open_connections", "Client connections open on the listener");
        CounterSnapshot.Builder closedAtAccept = counter("switchboard_listener_refused_connections", "Connections closed at accept by a connection limit, by the limit's config key");
        CounterSnapshot.Builder refused = counter("switchboard_listener_refused_requests", "Requests the proxy answered itself with an error of the client's (400, 403, 408, 413, 414, 429, 431), by status");
        CounterSnapshot.Builder proxyRefused = counter("switchboard_listener_proxy_protocol_refused", "Connections closed by the listener's proxy-protocol (header from an untrusted peer; header missing, malformed or late from a trusted one), by reason");
        CounterSnapshot.Builder tlsFailed = counter("switchboard_listener_tls_handshake_failures", "TLS handshakes that failed (plain text on a TLS port, no common protocol or cipher, no client certificate)");
        CounterSnapshot.Builder invalid = counter("switchboard_listener_validation_failures", "Sessions of a mode: tcp listener closed by its validator (not a ClientHello, a line too long, a command not allowed)");
        for (ListenerCounters c : listeners.get()) {
            Labels l = Labels.of("listener", c.listener());
            open.dataPoint(gaugePoint(l, c.openConnections()));
            tlsFailed.dataPoint(counter(l, c.tlsHandshakeFailures()));
            invalid.dataPoint(counter(l, c.validationFailures()));
            for (String limit : ListenerCounters.ACCEPT_LIMITS) {
                closedAtAccept.dataPoint(counter(l.add("limit", limit), c.refusedAtAcceptTotal(limit)));
            }
            for (String reason : ListenerCounters.PROXY_PROTOCOL_REFUSALS) {
                proxyRefused.dataPoint(counter(l.add("reason", reason), c.proxyProtocolRefusedTotal(reason)));
            }
            for (int status : ListenerCounters.REFUSAL_STATUSES) {
                refused.dataPoint(counter(l.add("status", Integer.toString(status)), c.refusedTotal(status)));
            }
        }
        out.metricSnapshot(open.build());
        out.metricSnapshot(closedAtAccept.build());
        out.metricSnapshot(refused.build());
        out.metricSnapshot(tlsFailed.build());
        out.metricSnapshot(proxyRefused.build());
        out.metricSnapshot(invalid.build());
    }

    /** Per pool with persistence: values not honoured by reason, and the stick table's fill. */
    private void persistence(Map<String, Pool> live, MetricSnapshots.Builder out) {
        PersistenceState state = persistence.get();
        if (state == null) return;
        CounterSnapshot.Builder rejected = counter("switchboard_persistence_cookie_rejected", "Persistence cookie values not honoured (the request was served as if it had none), by reason");
        GaugeSnapshot.Builder entries = gauge("switchboard_stick_table_entries", "Live entries of the pool's stick table");
        CounterSnapshot.Builder evicted = counter("switchboard_stick_table_evicted", "Stick-table entries dropped to stay under the table's size");
        for (Pool p : live.values()) {
            PersistenceState.PoolPersistence pp = state.pool(p.name());
            if (pp == null) continue;
            Labels pl = Labels.of("pool", p.name());
            pp.rejections().forEach((why, n) -> rejected.dataPoint(counter(pl.add("reason", why.label()), n)));
            StickTable t = pp.table();
            if (t != null) {
                entries.dataPoint(gaugePoint(pl, t.size()));
                evicted.dataPoint(counter(pl, t.evicted()));
            }
        }
        out.metricSnapshot(rejected.build());
        out.metricSnapshot(entries.build());
        out.metricSnapshot(evicted.build());
    }

    /** Pushed load reports by result (accepted, or the refusal's reason) and agent-check pulls by result. */
    private void loadReports(MetricSnapshots.Builder out) {
        LoadReportCounters c = loadReports.get();
        if (c == null) return;
        CounterSnapshot.Builder reports = counter("switchboard_load_reports", "Pushed load report datagrams received, by result: accepted, or the reason they were refused (truncated, oversized, malformed, bad_mac, replayed, stale, unknown_server)");
        reports.dataPoint(counter(Labels.of("result", LoadReportCounters.ACCEPTED), c.acceptedTotal()));
        for (ReportCodec.Reason r : ReportCodec.Reason.values()) {
            reports.dataPoint(counter(Labels.of("result", LoadReportCounters.label(r)), c.refusedTotal(r)));
        }
        CounterSnapshot.Builder pulls = counter("switchboard_agent_checks", "Agent-check pulls, by result: answered, or failed (no connection, no line in time, garbage: no data, never down)");
        pulls.dataPoint(counter(Labels.of("result", "answered"), c.pullsAnsweredTotal()));
        pulls.dataPoint(counter(Labels.of("result", "failed"), c.pullsFailedTotal()));
        out.metricSnapshot(reports.build());
        out.metricSnapshot(pulls.build());
    }

    /** The DNS server's responses by RCODE, and what was truncated, rate-limited or not answered. */
    private void dns(MetricSnapshots.Builder out) {
        DnsStats d = dns.get();
        if (d == null) return;
        CounterSnapshot.Builder responses = counter("switchboard_dns_responses", "DNS responses sent, by RCODE name");
        for (int rcode : DNS_RCODES) {
            responses.dataPoint(counter(Labels.of("rcode", DNS_RCODE_NAMES[rcode]), d.responses(rcode)));
        }
        out.metricSnapshot(responses.build());
        out.metricSnapshot(counter("switchboard_dns_truncated", "DNS responses sent over UDP with TC=1 (too large, or slipped by rate limiting)")
                .dataPoint(counter(Labels.EMPTY, d.truncated())).build());
        out.metricSnapshot(counter("switchboard_dns_rate_limited", "DNS responses dropped by response rate limiting")
                .dataPoint(counter(Labels.EMPTY, d.rateLimited())).build());
        out.metricSnapshot(counter("switchboard_dns_slipped", "DNS responses rate limiting sent truncated instead of dropping")
                .dataPoint(counter(Labels.EMPTY, d.slipped())).build());
        out.metricSnapshot(counter("switchboard_dns_ignored", "DNS messages not answered: shorter than a header, or responses")
                .dataPoint(counter(Labels.EMPTY, d.silenced())).build());
    }

    /** The members of the agreed view, the virtual addresses held here, and the replication messages. */
    private void cluster(MetricSnapshots.Builder out) {
        ClusterStatus c = cluster.get();
        if (c == null) return;
        out.metricSnapshot(gauge("switchboard_cluster_members", "Members of the cluster's current view, this node included")
                .dataPoint(gaugePoint(Labels.EMPTY, c.members().size())).build());
        out.metricSnapshot(gauge("switchboard_cluster_held_addresses", "Virtual addresses this node holds on its interface")
                .dataPoint(gaugePoint(Labels.EMPTY, c.held().size())).build());
        out.metricSnapshot(gauge("switchboard_cluster_coordinator", "1 when this node is the cluster's coordinator")
                .dataPoint(gaugePoint(Labels.EMPTY, c.self().equals(c.coordinator()) ? 1 : 0)).build());
        out.metricSnapshot(gauge("switchboard_cluster_view_id", "Number of the cluster's current view (grows with every membership change)")
                .dataPoint(gaugePoint(Labels.EMPTY, c.viewId())).build());
        ClusterStatus.Replication r = c.replication();
        out.metricSnapshot(counter("switchboard_cluster_replication_messages",
                "Replication messages: sent to the peers, received from them, applied here, dropped (refused)")
                .dataPoint(counter(Labels.of("event", "sent"), r.sent()))
                .dataPoint(counter(Labels.of("event", "received"), r.received()))
                .dataPoint(counter(Labels.of("event", "applied"), r.applied()))
                .dataPoint(counter(Labels.of("event", "dropped"), r.dropped())).build());
    }

    private static final int[] DNS_RCODES = {0, 1, 2, 3, 4, 5, 16};
    private static final String[] DNS_RCODE_NAMES = new String[17];

    static {
        String[] names = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
        System.arraycopy(names, 0, DNS_RCODE_NAMES, 0, names.length);
        DNS_RCODE_NAMES[16] = "BADVERS";
    }

    /** Per TCP listener: sessions open (in all and per bound server), opened, and bytes relayed each way. */
    private void sessions(MetricSnapshots.Builder out) {
        SessionTable table = sessions.get();
        if (table == null) return;
        GaugeSnapshot.Builder open = gauge("switchboard_tcp_sessions_open", "TCP sessions open on the listener, connecting ones included");
        GaugeSnapshot.Builder byServer = gauge("switchboard_tcp_server_sessions_open", "TCP sessions of the listener bound to the server");
        CounterSnapshot.Builder opened = counter("switchboard_tcp_sessions", "TCP sessions accepted on the listener");
        CounterSnapshot.Builder bytes = counter("switchboard_tcp_session_bytes", "Bytes relayed by the listener's TCP sessions, by direction (up: client to server)");
        table.openByListener().forEach((l, n) -> open.dataPoint(gaugePoint(Labels.of("listener", l), n)));
        table.openByServer().forEach((b, n) -> byServer.dataPoint(gaugePoint(
                Labels.of("listener", b.listener(), "pool", String.valueOf(b.pool()), "server", b.server()), n)));
        for (SessionTable.ListenerTotals t : table.totals()) {
            Labels l = Labels.of("listener", t.listener());
            opened.dataPoint(counter(l, t.sessionsOpened()));
            bytes.dataPoint(counter(l.add("direction", "up"), t.bytesUp()));
            bytes.dataPoint(counter(l.add("direction", "down"), t.bytesDown()));
        }
        out.metricSnapshot(open.build());
        out.metricSnapshot(byServer.build());
        out.metricSnapshot(opened.build());
        out.metricSnapshot(bytes.build());
    }

    /** The pooled allocator every proxy channel uses, and Netty's own count of direct memory. */
    private static void netty(MetricSnapshots.Builder out) {
        PooledByteBufAllocatorMetric m = PooledByteBufAllocator.DEFAULT.metric();
        Labels direct = Labels.of("memory", "direct");
        Labels heap = Labels.of("memory", "heap");
        out.metricSnapshot(gauge("switchboard_netty_allocator_used_bytes", "Memory held by Netty's pooled allocator")
                .dataPoint(gaugePoint(direct, m.usedDirectMemory())).dataPoint(gaugePoint(heap, m.usedHeapMemory())).build());
        out.metricSnapshot(gauge("switchboard_netty_allocator_pinned_bytes", "Pooled allocator memory in use by buffers not yet released")
                .dataPoint(gaugePoint(direct, PooledByteBufAllocator.DEFAULT.pinnedDirectMemory()))
                .dataPoint(gaugePoint(heap, PooledByteBufAllocator.DEFAULT.pinnedHeapMemory())).build());
        out.metricSnapshot(gauge("switchboard_netty_allocator_arenas", "Arenas of Netty's pooled allocator")
                .dataPoint(gaugePoint(direct, m.numDirectArenas())).dataPoint(gaugePoint(heap, m.numHeapArenas())).build());
        out.metricSnapshot(gauge("switchboard_netty_allocator_thread_local_caches", "Thread-local caches of Netty's pooled allocator")
                .dataPoint(gaugePoint(Labels.EMPTY, m.numThreadLocalCaches())).build());
        out.metricSnapshot(gauge("switchboard_netty_allocator_chunk_size_bytes", "Chunk size of Netty's pooled allocator")
                .dataPoint(gaugePoint(Labels.EMPTY, m.chunkSize())).build());
        long used = PlatformDependent.usedDirectMemory();
        if (used >= 0) {
            out.metricSnapshot(gauge("switchboard_netty_direct_memory_used_bytes", "Direct memory Netty has allocated")
                    .dataPoint(gaugePoint(Labels.EMPTY, used)).build());
        }
        out.metricSnapshot(gauge("switchboard_netty_direct_memory_max_bytes", "The most direct memory Netty may allocate")
                .dataPoint(gaugePoint(Labels.EMPTY, PlatformDependent.maxDirectMemory())).build());
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot gaugePoint(Labels l, double v) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(v).build();
    }

    private static CounterSnapshot.CounterDataPointSnapshot counter(Labels l, double v) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(v).build();
    }
}
