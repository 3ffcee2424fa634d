package io.switchboard.admin;

import static io.switchboard.admin.AdminReads.member;
import static io.switchboard.admin.AdminReads.parsed;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.admin.AdminApi.ApiError;
import io.switchboard.backend.Member;
import io.switchboard.config.AdminState;
import io.switchboard.config.AdminStateSyntax;
import io.switchboard.config.DurationSyntax;
import io.switchboard.config.HostPort;
import io.switchboard.config.HostPortSyntax;
import io.switchboard.config.NameSyntax;
import io.switchboard.config.ServerConfig;
import io.switchboard.registry.Change;
import io.switchboard.registry.Origin;
import io.switchboard.registry.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's changes, as {@link AdminApi} routes them: a back end added, patched (weight,
 * state) or drained and removed, each applied as a {@link Change} through the pool's single writer,
 * and the config reload; with the checks of their JSON bodies and parameters.
 *
 * <p>Threading: the admin worker thread only; a removal waits for the back end's requests in flight
 * by polling on that worker, without blocking it.
 */
final class AdminChanges {
    /** Under the API's name: the log lines of changes read as they did before reads and changes were split. */
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

    static final List<String> ADD_FIELDS = List.of("name", "address", "weight", "state");
    static final List<String> PATCH_FIELDS = List.of("weight", "state");
    static final Duration DEFAULT_REMOVE_DEADLINE = Duration.ofSeconds(30);
    static final Duration MAX_REMOVE_DEADLINE = Duration.ofMinutes(10);
    static final long REMOVE_POLL_MILLIS = 20;

    private final Dispatcher dispatcher;
    private final AdminReads reads;
    private final Json json;
    private final ScheduledExecutorService worker;
    private final LongSupplier nanoClock;

    AdminChanges(Dispatcher dispatcher, AdminReads reads, Json json, ScheduledExecutorService worker, LongSupplier nanoClock) {
        this.dispatcher = dispatcher;
        this.reads = reads;
        this.json = json;
        this.worker = worker;
        this.nanoClock = nanoClock;
    }

    /** POST a back end: 201 with its view and Location. */
    ApiResponse add(Pool pool, ApiRequest r) {
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
        return json.ok(201, reads.backendView(pool, name)).withHeader("Location", AdminApi.PREFIX + "/pools/" + pool.name() + "/backends/" + name);
    }

    ApiResponse patch(Pool pool, String name, ApiRequest r) {
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
        return json.ok(200, reads.backendView(pool, name));
    }

    /**
     * Drain, then remove: the back end stops getting new requests at once; it is removed when its
     * requests in flight reach zero or the deadline passes, whichever comes first. The response
     * waits for that (never longer than the deadline). If someone sets the back end's state back to
     * ready meanwhile, the removal is cancelled (409) and the back end stays.
     */
    CompletableFuture<ApiResponse> remove(String poolName, String name, Duration deadline) {
        Pool pool = reads.pool(poolName);
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

    ApiResponse reload() {
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
}
