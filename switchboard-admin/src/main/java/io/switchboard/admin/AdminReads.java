package io.switchboard.admin;

import io.switchboard.admin.AdminApi.ApiError;
import io.switchboard.admin.stats.Sampler;
import io.switchboard.admin.stats.Traffic;
import io.switchboard.backend.Member;
import io.switchboard.config.IntegerSyntax;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.dispatch.SessionTable;
import io.switchboard.persist.PersistenceState;
import io.switchboard.persist.StickTable;
import io.switchboard.registry.Pool;
import io.switchboard.registry.Transition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The admin API's reads: the views of the overview, listeners and their sessions, pools, their
 * persistence and stick tables, and back ends, as {@link AdminApi} routes them; and the look-ups of
 * a pool or back end by name that the changes ({@link AdminChanges}) share. Nothing here changes
 * the dispatcher.
 *
 * <p>Threading: the admin worker thread only, like {@link AdminApi#handle}.
 */
final class AdminReads {
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private final Dispatcher dispatcher;
    private final Traffic traffic;
    private final Sampler sampler;
    private final Auth auth;
    private final LongSupplier nanoClock;
    private final long startNanos;

    AdminReads(Dispatcher dispatcher, Traffic traffic, Sampler sampler, Auth auth, LongSupplier nanoClock) {
        this.dispatcher = dispatcher;
        this.traffic = traffic;
        this.sampler = sampler;
        this.auth = auth;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    /** Every pool, in the dispatcher's order. */
    List<Views.PoolView> pools() {
        List<Views.PoolView> out = new ArrayList<>();
        for (Pool p : dispatcher.pools().values()) out.add(poolView(p));
        return out;
    }

    /** A pool's back ends, in its order. */
    List<Views.BackendView> backends(Pool pool) {
        List<Views.BackendView> out = new ArrayList<>();
        List<Transition> history = pool.history();
        for (Member m : pool.snapshot().backends().members()) out.add(Views.backend(pool.name(), m, traffic, sampler, history));
        return out;
    }

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
        List<Views.PoolView> pools = pools();
        return new Views.Overview(dispatcher.version(), Instant.now().toString(),
                (nanoClock.getAsLong() - startNanos) / 1_000_000_000L, dispatcher.configFile(), auth.hasToken(), listeners(),
                pools);
    }

    Views.PoolView poolView(Pool p) {
        return Views.pool(p, dispatcher.queueLength(p), dispatcher.queuedByClass(p), traffic, sampler);
    }

    List<Views.ListenerView> listeners() {
        List<Views.ListenerView> out = new ArrayList<>();
        for (Dispatcher.ListenerInfo l : dispatcher.listeners()) {
            List<Views.RouteView> routes = dispatcher.routes(l.name()).stream().map(Views.RouteView::of).toList();
            out.add(new Views.ListenerView(l.name(), l.address(), l.port(), l.defaultPool(), routes));
        }
        return out;
    }

    Views.BackendView backendView(Pool pool, String name) {
        return Views.backend(pool.name(), member(pool, name), traffic, sampler, pool.history());
    }

    /** The live pool of that name; a 404 naming the pools there are when none. */
    Pool pool(String name) {
        Map<String, Pool> pools = dispatcher.pools();
        Pool p = pools.get(name);
        if (p == null) {
            throw new ApiError(404, "no pool named '" + name + "' (pools: " + String.join(", ", pools.keySet()) + ")");
        }
        return p;
    }

    /** The pool's back end of that name; a 404 naming the back ends it has when none. */
    static Member member(Pool pool, String name) {
        Member m = pool.snapshot().backends().member(name);
        if (m == null) {
            List<String> names = pool.snapshot().backends().members().stream().map(x -> x.backend().name()).toList();
            throw new ApiError(404, "pool '" + pool.name() + "' has no back end named '" + name + "' (has: "
                    + String.join(", ", names) + ")");
        }
        return m;
    }

    /** A value in one of the shared syntaxes; the parser's message, after the field's name, becomes a 400. */
    static <T> T parsed(String field, String text, Function<String, T> parse) {
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, field + ": " + e.getMessage());
        }
    }
}
