package io.switchboard.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.admin.stats.Sampler;
import io.switchboard.admin.stats.Traffic;
import io.switchboard.backend.Member;
import io.switchboard.cluster.ClusterStatus;
import io.switchboard.dsr.DsrStatus;
import io.switchboard.config.AdminState;
import io.switchboard.config.AdminStateSyntax;
import io.switchboard.config.DurationSyntax;
import io.switchboard.config.HostPort;
import io.switchboard.config.HostPortSyntax;
import io.switchboard.config.IntegerSyntax;
import io.switchboard.config.NameSyntax;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.ServerConfig;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.persist.PersistenceState;
import io.switchboard.persist.StickTable;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import io.switchboard.registry.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's routes: reads of listeners, pools and back ends; changes, each applied as a
 * {@link Change} through the pool's single writer; the config reload; {@code /metrics}; the
 * dashboard's static files. The HTTP details (keep-alive, framing) are {@link AdminHandler}'s.
 *
 * <p>Routes and bodies are documented in {@code docs/admin-api.yaml}.
 *
 * <p>Threading: {@link #handle} runs on the admin worker thread, never on an event loop: JSON,
 * scrapes and reloads do not take time from the data plane. A back end's removal waits for its
 * requests in flight by polling on the same worker, without blocking it.
 */
public final class AdminApi {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

    static final String PREFIX = "/api/v1";
    static final List<String> ADD_FIELDS = List.of("name", "address", "weight", "state");
    static final List<String> PATCH_FIELDS = List.of("weight", "state");
    static final Duration DEFAULT_REMOVE_DEADLINE = Duration.ofSeconds(30);
    static final Duration MAX_REMOVE_DEADLINE = Duration.ofMinutes(10);
    static final long REMOVE_POLL_MILLIS = 20;
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private final Dispatcher dispatcher;
    private final Traffic traffic;
    private final Sampler sampler;
    private final Auth auth;
    private final Json json;
    private final MetricsEndpoint metrics;
    private final StaticFiles files;
    private final ScheduledExecutorService worker;
    private final LongSupplier nanoClock;
    private final long startNanos;

    AdminApi(Dispatcher dispatcher, Traffic traffic, Sampler sampler, Auth auth, Json json, MetricsEndpoint metrics,
             StaticFiles files, ScheduledExecutorService worker, LongSupplier nanoClock) {
        this.dispatcher = dispatcher;
        this.traffic = traffic;
        this.sampler = sampler;
        this.auth = auth;
        this.json = json;
        this.metrics = metrics;
        this.files = files;
        this.worker = worker;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    /** Never completes exceptionally: a bug becomes a 500 with a log line. */
    public CompletableFuture<ApiResponse> handle(ApiRequest r) {
        try {
            ApiResponse denied = auth.check(r, json);
            if (denied != null) return CompletableFuture.completedFuture(denied);
            return route(r);
        } catch (ApiError e) {
            return CompletableFuture.completedFuture(e.response(json));
        } catch (RuntimeException e) {
            log.error("admin API: {} {} failed", r.method(), r.path(), e);
            return CompletableFuture.completedFuture(json.error(500, "internal error: " + e));
        }
    }

    /** A request that cannot be served as asked; becomes {@code {"status": s, "error": message}}. */
    static final class ApiError extends RuntimeException {
        final int status;
        final String allow;

        ApiError(int status, String message) {
            this(status, message, null);
        }

        ApiError(int status, String message, String allow) {
            super(message, null, false, false);
            this.status = status;
            this.allow = allow;
        }

        ApiResponse response(Json json) {
            ApiResponse r = json.error(status, getMessage());
            return allow == null ? r : r.withHeader("Allow", allow);
        }
    }

    private CompletableFuture<ApiResponse> route(ApiRequest r) {
        String path = r.path();
        if (path.equals("/metrics")) {
            // HEAD as GET: AdminHandler sends the head only (scrapers and load balancers probe with it)
            if (!r.method().equals("GET") && !r.method().equals("HEAD")) throw notAllowed("GET, HEAD");
            return done(metrics.scrape());
        }
        if (!path.startsWith(PREFIX + "/") && !path.equals(PREFIX)) {
            if (!r.method().equals("GET")) throw notAllowed("GET");
            ApiResponse f = files.get(path);
            if (f == null) throw new ApiError(404, "no such page: " + path + " (the dashboard is at /, the API under " + PREFIX + "/)");
            return done(f);
        }
        List<String> seg = segments(path.substring(PREFIX.length()));
        if (seg.isEmpty()) throw new ApiError(404, "see " + PREFIX + "/overview, " + PREFIX + "/pools, " + PREFIX + "/listeners");
        switch (seg.get(0)) {
            case "overview" -> {
                exactly(seg, 1);
                only(r, "GET");
                return done(json.ok(200, overview()));
            }
            case "listeners" -> {
                only(r, "GET");
                if (seg.size() == 1) return done(json.ok(200, listeners()));
                if (seg.size() != 3 || !seg.get(2).equals("routes") && !seg.get(2).equals("sessions")) {
                    throw new ApiError(404, "no such resource: " + path);
                }
                Views.ListenerView l = listeners().stream().filter(v -> v.name().equals(seg.get(1))).findFirst()
                        .orElseThrow(() -> new ApiError(404, "no listener named '" + seg.get(1) + "'"));
                if (seg.get(2).equals("sessions")) return done(json.ok(200, sessions(l.name(), r)));
                return done(json.ok(200, l.routes()));
            }
            case "reload" -> {
                exactly(seg, 1);
                only(r, "POST");
                return done(reload());
            }
            case "token" -> {
                // POST, so that Auth demands the token even from loopback, where reads need none
                exactly(seg, 1);
                only(r, "POST");
                return done(json.ok(200, new Views.TokenCheck(true)));
            }
            case "pools" -> {
                return pools(r, seg);
            }
            case "cluster" -> {
                exactly(seg, 1);
                only(r, "GET");
                ClusterStatus status = dispatcher.clusterStatus();
                if (status == null) {
                    throw new ApiError(404, "this node is not in a cluster (its config has no cluster section)");
                }
                return done(json.ok(200, Views.ClusterView.of(status)));
            }
            case "dsr" -> {
                exactly(seg, 1);
                only(r, "GET");
                DsrStatus status = dispatcher.dsrStatus();
                if (status == null) {
                    throw new ApiError(404, "direct server return is off (the config has no dsr section)");
                }
                return done(json.ok(200, status));
            }
            default -> throw new ApiError(404, "no such resource: " + path);
        }
    }

    private CompletableFuture<ApiResponse> pools(ApiRequest r, List<String> seg) {
        if (seg.size() == 1) {
            only(r, "GET");
            List<Views.PoolView> out = new ArrayList<>();
            for (Pool p : dispatcher.pools().values()) out.add(poolView(p));
            return done(json.ok(200, out));
        }
        Pool pool = pool(seg.get(1));
        if (seg.size() == 2) {
            only(r, "GET");
            return done(json.ok(200, poolView(pool)));
        }
        if (seg.size() == 3 && seg.get(2).equals("persistence")) {
            only(r, "GET");
            return done(json.ok(200, persistence(pool)));
        }
        if (seg.size() == 3 && seg.get(2).equals("stick-table")) {
            only(r, "GET");
            return done(json.ok(200, stickTable(pool, r)));
        }
        if (!seg.get(2).equals("backends") || seg.size() > 4) throw new ApiError(404, "no such resource: " + r.path());
        if (seg.size() == 3) {
            switch (r.method()) {
                case "GET" -> {
                    List<Views.BackendView> out = new ArrayList<>();
                    List<Transition> history = pool.history();
                    for (Member m : pool.snapshot().backends().members()) out.add(Views.backend(pool.name(), m, traffic, sampler, history));
                    return done(json.ok(200, out));
                }
                case "POST" -> {
                    return done(add(pool, r));
                }
                default -> throw notAllowed("GET, POST");
            }
        }
        String name = seg.get(3);
        member(pool, name);
        return switch (r.method()) {
            case "GET" -> done(json.ok(200, backendView(pool, name)));
            case "PATCH" -> done(patch(pool, name, r));
            case "DELETE" -> remove(pool.name(), name, deadline(r.param("deadline")));
            default -> throw notAllowed("GET, PATCH, DELETE");
        };
    }

    // ---- reads ---------------------------------------------------------------------------------

    private PersistenceState.PoolPersistence poolPersistence(Pool pool) {
        PersistenceState state = dispatcher.persistence();
        PersistenceState.PoolPersistence p = state == null ? null : state.pool(pool.name());
        if (p == null) throw new ApiError(404, "pool '" + pool.name() + "' has no persistence (see pools.<name>.persistence)");
        return p;
    }

    Views.PersistenceView persistence(Pool pool) {
        PersistenceState.PoolPersistence p = poolPersistence(pool);
        Map<String, Long> rejected = new LinkedHashMap<>();
        p.rejections().forEach((why, n) -> rejected.put(why.label(), n));
        String kind = switch (p.config()) {
            case PersistenceConfig.Cookie c -> "cookie";
            case PersistenceConfig.AppCookie a -> "app-cookie";
            case PersistenceConfig.Stick s -> "stick";
        };
        StickTable t = p.table();
        return new Views.PersistenceView(pool.name(), kind, rejected, t == null ? null : t.size(),
                t == null ? null : t.capacity(), t == null ? null : t.evicted());
    }

    /** {@code ?limit=} (1-1000, default 100) entries in key order after {@code ?after=}. */
    Views.StickTableView stickTable(Pool pool, ApiRequest r) {
        StickTable t = poolPersistence(pool).table();
        if (t == null) throw new ApiError(404, "pool '" + pool.name() + "' has no stick table (its persistence is an inserted cookie)");
        String l = r.param("limit");
        int limit = l == null ? DEFAULT_PAGE : parsed("limit", l, s -> IntegerSyntax.parse(s, 1, MAX_PAGE));
        StickTable.Page page = t.page(r.param("after"), limit, nanoClock.getAsLong());
        List<Views.StickEntryView> entries = new ArrayList<>();
        for (StickTable.Entry e : page.entries()) entries.add(Views.StickEntryView.of(e));
        return new Views.StickTableView(pool.name(), page.total(), t.capacity(), entries, page.next());
    }

    /**
     * {@code ?server=} (only sessions bound to it), {@code ?offset=} (default 0), {@code ?limit=} (1-1000,
     * default 100): the listener's open TCP sessions, oldest first. An HTTP listener has none.
     */
    Views.SessionPageView sessions(String listener, ApiRequest r) {
        String server = r.param("server");
        String o = r.param("offset");
        int offset = o == null ? 0 : parsed("offset", o, s -> IntegerSyntax.parse(s, 0, Integer.MAX_VALUE));
        String l = r.param("limit");
        int limit = l == null ? DEFAULT_PAGE : parsed("limit", l, s -> IntegerSyntax.parse(s, 1, MAX_PAGE));
        SessionTable table = dispatcher.sessions();
        if (table == null) return new Views.SessionPageView(listener, server, 0, offset, List.of(), null);
        SessionTable.Page page = table.page(listener, server, offset, limit);
        List<Views.SessionView> out = new ArrayList<>(page.sessions().size());
        for (SessionTable.Session s : page.sessions()) out.add(Views.SessionView.of(s));
        int end = offset + out.size();
        return new Views.SessionPageView(listener, server, page.total(), offset, out, end < page.total() ? end : null);
    }

    Views.Overview overview() {
        List<Views.PoolView> pools = new ArrayList<>();
        for (Pool p : dispatcher.pools().values()) pools.add(poolView(p));
        return new Views.Overview(dispatcher.version(), Instant.now().toString(),
                (nanoClock.getAsLong() - startNanos) / 1_000_000_000L, dispatcher.configFile(), auth.hasToken(), listeners(),
                pools);
    }

    private Views.PoolView poolView(Pool p) {
        return Views.pool(p, dispatcher.queueLength(p), dispatcher.queuedByClass(p), traffic, sampler);
    }

    private List<Views.ListenerView> listeners() {
        List<Views.ListenerView> out = new ArrayList<>();
        for (Dispatcher.ListenerInfo l : dispatcher.listeners()) {
            List<Views.RouteView> routes = dispatcher.routes(l.name()).stream().map(Views.RouteView::of).toList();
            out.add(new Views.ListenerView(l.name(), l.address(), l.port(), l.defaultPool(), routes));
        }
        return out;
    }

    private Views.BackendView backendView(Pool pool, String name) {
        return Views.backend(pool.name(), member(pool, name), traffic, sampler, pool.history());
    }

    // ---- changes -------------------------------------------------------------------------------

    private ApiResponse add(Pool pool, ApiRequest r) {
        JsonNode body = body(r, ADD_FIELDS);
        String name = parsed("name", text(body, "name", true), NameSyntax::parse);
        HostPort address = parsed("address", text(body, "address", true), HostPortSyntax::parse);
        int weight = body.has("weight") ? weight(body.get("weight")) : 1;
        AdminState state = body.has("state") ? state(body) : AdminState.READY;
        if (pool.snapshot().backends().member(name) != null) {
            throw new ApiError(409, "pool '" + pool.name() + "' already has a back end named '" + name + "'");
        }
        ServerConfig sc = new ServerConfig(name, address.host(), address.port(), weight, state);
        apply(pool, List.of(new Change.Add(sc)));
        log.info("admin API: pool {}: added {} {} weight {} {}", pool.name(), name, sc.address(), weight, state.label());
        return json.ok(201, backendView(pool, name)).withHeader("Location", PREFIX + "/pools/" + pool.name() + "/backends/" + name);
    }

    private ApiResponse patch(Pool pool, String name, ApiRequest r) {
        JsonNode body = body(r, PATCH_FIELDS);
        List<Change> changes = new ArrayList<>();
        List<String> what = new ArrayList<>();
        if (body.has("weight")) {
            int w = weight(body.get("weight"));
            changes.add(new Change.SetWeight(name, w));
            what.add("weight " + w);
        }
        if (body.has("state")) {
            AdminState s = state(body);
            changes.add(new Change.SetAdmin(name, s, "operator: " + s.label() + " (admin API)"));
            what.add("state " + s.label());
        }
        if (changes.isEmpty()) throw new ApiError(400, "nothing to change: give 'weight' (0-256), 'state' (ready, drain, maint) or both");
        apply(pool, changes);
        log.info("admin API: pool {}: {} {}", pool.name(), name, String.join(", ", what));
        return json.ok(200, backendView(pool, name));
    }

    /**
     * Drain, then remove: the back end stops getting new requests at once; it is removed when its
     * requests in flight reach zero or the deadline passes, whichever comes first. The response
     * waits for that (never longer than the deadline). If someone sets the back end's state back to
     * ready meanwhile, the removal is cancelled (409) and the back end stays.
     */
    private CompletableFuture<ApiResponse> remove(String poolName, String name, Duration deadline) {
        Pool pool = pool(poolName);
        Member m = member(pool, name);
        if (m.admin() == AdminState.READY) {
            apply(pool, List.of(new Change.SetAdmin(name, AdminState.DRAIN, "operator: draining for removal (admin API)")));
        }
        log.info("admin API: pool {}: removing {} once its {} requests in flight finish (deadline {} ms)", poolName, name,
                m.backend().inFlight(), deadline.toMillis());
        CompletableFuture<ApiResponse> result = new CompletableFuture<>();
        long start = nanoClock.getAsLong();
        new Object() {
            void poll() {
                try {
                    ApiResponse done = step();
                    if (done != null) {
                        result.complete(done);
                    } else {
                        worker.schedule(this::poll, REMOVE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                    }
                } catch (ApiError e) {
                    result.complete(e.response(json));
                } catch (RuntimeException e) {
                    log.error("admin API: removing {}/{} failed", poolName, name, e);
                    result.complete(json.error(500, "internal error: " + e));
                }
            }

            /** Null while still waiting. */
            ApiResponse step() {
                long waited = (nanoClock.getAsLong() - start) / 1_000_000;
                Pool p = dispatcher.pools().get(poolName);
                Member cur = p == null ? null : p.snapshot().backends().member(name);
                if (cur == null) {
                    // removed meanwhile (a reload, another request): the goal is reached
                    return json.ok(200, new Views.RemoveResult(poolName, name, true, true, 0, waited));
                }
                if (cur.admin() == AdminState.READY) {
                    return json.error(409, "removal of " + poolName + "/" + name + " cancelled: its state was set back to"
                            + " ready while it drained");
                }
                int inFlight = cur.backend().inFlight();
                boolean over = waited >= deadline.toMillis();
                if (inFlight > 0 && !over) return null;
                apply(p, List.of(new Change.Remove(name)));
                log.info("admin API: pool {}: removed {} after {} ms{}", poolName, name, waited,
                        inFlight > 0 ? " with " + inFlight + " requests still in flight (deadline passed)" : "");
                return json.ok(200, new Views.RemoveResult(poolName, name, true, inFlight == 0, inFlight, waited));
            }
        }.poll();
        return result;
    }

    private ApiResponse reload() {
        if (dispatcher.configFile() == null) {
            throw new ApiError(409, "the running config did not come from a file, so there is nothing to reload");
        }
        Dispatcher.ReloadOutcome o = dispatcher.reloadConfig();
        Views.ReloadResult body = new Views.ReloadResult(o.applied(), o.file(), o.summary(), o.errors(), o.warnings());
        return json.ok(o.applied() ? 200 : 422, body);
    }

    private static void apply(Pool pool, List<Change> changes) {
        try {
            pool.applyAll(Origin.API, changes);
        } catch (IllegalArgumentException e) {
            throw new ApiError(409, e.getMessage());
        }
    }

    // ---- parsing -------------------------------------------------------------------------------

    private Pool pool(String name) {
        Map<String, Pool> pools = dispatcher.pools();
        Pool p = pools.get(name);
        if (p == null) {
            throw new ApiError(404, "no pool named '" + name + "' (pools: " + String.join(", ", pools.keySet()) + ")");
        }
        return p;
    }

    private static Member member(Pool pool, String name) {
        Member m = pool.snapshot().backends().member(name);
        if (m == null) {
            List<String> names = pool.snapshot().backends().members().stream().map(x -> x.backend().name()).toList();
            throw new ApiError(404, "pool '" + pool.name() + "' has no back end named '" + name + "' (has: "
                    + String.join(", ", names) + ")");
        }
        return m;
    }

    private JsonNode body(ApiRequest r, List<String> allowed) {
        String ct = r.contentType();
        if (ct == null || !ct.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "send the body as JSON with 'Content-Type: application/json'");
        }
        JsonNode n;
        try {
            n = json.object(r.body());
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new ApiError(400, "unknown field '" + f + "' (allowed: " + String.join(", ", allowed) + ")");
            }
        }
        return n;
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) throw new ApiError(400, field + ": required field is missing");
            return null;
        }
        if (!v.isTextual()) throw new ApiError(400, field + ": expected a string; found " + v.getNodeType().name().toLowerCase(Locale.ROOT));
        return v.asText();
    }

    private static int weight(JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() > ServerConfig.MAX_WEIGHT) {
            throw new ApiError(400, "weight: " + v + " is not a whole number in 0-" + ServerConfig.MAX_WEIGHT);
        }
        return v.asInt();
    }

    private static AdminState state(JsonNode body) {
        return parsed("state", text(body, "state", true), AdminStateSyntax::parse);
    }

    /**
     * The {@code deadline} query parameter of a removal, in the config file's duration syntax; absent
     * means {@link #DEFAULT_REMOVE_DEADLINE}.
     */
    static Duration deadline(String s) {
        if (s == null) return DEFAULT_REMOVE_DEADLINE;
        Duration d = parsed("deadline", s, DurationSyntax::parse);
        if (d.compareTo(MAX_REMOVE_DEADLINE) > 0) {
            throw new ApiError(400, "deadline: '" + s + "' is longer than the maximum, " + DurationSyntax.format(MAX_REMOVE_DEADLINE));
        }
        return d;
    }

    /** A value in one of the shared syntaxes; the parser's message, after the field's name, becomes a 400. */
    private static <T> T parsed(String field, String text, Function<String, T> parse) {
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, field + ": " + e.getMessage());
        }
    }

    private static List<String> segments(String p) {
        List<String> out = new ArrayList<>();
        for (String s : p.split("/")) if (!s.isEmpty()) out.add(s);
        return out;
    }

    private static void exactly(List<String> seg, int n) {
        if (seg.size() != n) throw new ApiError(404, "no such resource: " + PREFIX + "/" + String.join("/", seg));
    }

    private static void only(ApiRequest r, String method) {
        if (!r.method().equals(method)) throw notAllowed(method);
    }

    private static ApiError notAllowed(String allowed) {
        return new ApiError(405, "method not allowed here (allowed: " + allowed + ")", allowed);
    }

    private static CompletableFuture<ApiResponse> done(ApiResponse r) {
        return CompletableFuture.completedFuture(r);
    }
}
