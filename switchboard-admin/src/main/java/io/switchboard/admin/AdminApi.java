package io.switchboard.admin;

import io.switchboard.admin.stats.Sampler;
import io.switchboard.admin.stats.Traffic;
import io.switchboard.cluster.ClusterStatus;
import io.switchboard.dsr.DsrStatus;
import io.switchboard.registry.Change;
import io.switchboard.registry.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's routes: auth first, then each path and method to its handler: reads of listeners,
 * pools and back ends ({@link AdminReads}); changes, each applied as a {@link Change} through the
 * pool's single writer, and the config reload ({@link AdminChanges}); {@code /metrics}; the
 * dashboard's static files. Status codes of routing (404, 405 with {@code Allow}) are decided here.
 * The HTTP details (keep-alive, framing) are {@link AdminHandler}'s.
 *
 * <p>Routes and bodies are documented in {@code docs/admin-api.yaml}.
 *
 * <p>Threading: {@link #handle} runs on the admin worker thread, never on an event loop: JSON,
 * scrapes and reloads do not take time from the data plane.
 */
public final class AdminApi {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

    static final String PREFIX = "/api/v1";

    private final Dispatcher dispatcher;
    private final Auth auth;
    private final Json json;
    private final MetricsEndpoint metrics;
    private final StaticFiles files;
    private final AdminReads reads;
    private final AdminChanges changes;

    AdminApi(Dispatcher dispatcher, Traffic traffic, Sampler sampler, Auth auth, Json json, MetricsEndpoint metrics,
             StaticFiles files, ScheduledExecutorService worker, LongSupplier nanoClock) {
        this.dispatcher = dispatcher;
        this.auth = auth;
        this.json = json;
        this.metrics = metrics;
        this.files = files;
        this.reads = new AdminReads(dispatcher, traffic, sampler, auth, nanoClock);
        this.changes = new AdminChanges(dispatcher, reads, json, worker, nanoClock);
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
                return done(json.ok(200, reads.overview()));
            }
            case "listeners" -> {
                only(r, "GET");
                if (seg.size() == 1) return done(json.ok(200, reads.listeners()));
                if (seg.size() != 3 || !seg.get(2).equals("routes") && !seg.get(2).equals("sessions")) {
                    throw new ApiError(404, "no such resource: " + path);
                }
                Views.ListenerView l = reads.listeners().stream().filter(v -> v.name().equals(seg.get(1))).findFirst()
                        .orElseThrow(() -> new ApiError(404, "no listener named '" + seg.get(1) + "'"));
                if (seg.get(2).equals("sessions")) return done(json.ok(200, reads.sessions(l.name(), r)));
                return done(json.ok(200, l.routes()));
            }
            case "reload" -> {
                exactly(seg, 1);
                only(r, "POST");
                return done(changes.reload());
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
            return done(json.ok(200, reads.pools()));
        }
        Pool pool = reads.pool(seg.get(1));
        if (seg.size() == 2) {
            only(r, "GET");
            return done(json.ok(200, reads.poolView(pool)));
        }
        if (seg.size() == 3 && seg.get(2).equals("persistence")) {
            only(r, "GET");
            return done(json.ok(200, reads.persistence(pool)));
        }
        if (seg.size() == 3 && seg.get(2).equals("stick-table")) {
            only(r, "GET");
            return done(json.ok(200, reads.stickTable(pool, r)));
        }
        if (!seg.get(2).equals("backends") || seg.size() > 4) throw new ApiError(404, "no such resource: " + r.path());
        if (seg.size() == 3) {
            switch (r.method()) {
                case "GET" -> {
                    return done(json.ok(200, reads.backends(pool)));
                }
                case "POST" -> {
                    return done(changes.add(pool, r));
                }
                default -> throw notAllowed("GET, POST");
            }
        }
        String name = seg.get(3);
        AdminReads.member(pool, name);
        return switch (r.method()) {
            case "GET" -> done(json.ok(200, reads.backendView(pool, name)));
            case "PATCH" -> done(changes.patch(pool, name, r));
            case "DELETE" -> changes.remove(pool.name(), name, AdminChanges.deadline(r.param("deadline")));
            default -> throw notAllowed("GET, PATCH, DELETE");
        };
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