package io.switchboard.proxy.http;

import io.switchboard.backend.Backend;
import io.switchboard.backend.Member;
import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.RouteConfig;
import io.switchboard.persist.PersistenceState.PoolPersistence;
import io.switchboard.persist.ServerCookie;
import io.switchboard.persist.StickKeys;
import io.switchboard.persist.StickTable;
import java.util.Locale;

/**
 * The persistence side of one {@link HttpExchange}: reads the request for the back end its session
 * is on (an inserted server cookie, a learned application cookie, a stick-table key), and the response
 * for what to remember or to tell the client.
 *
 * <ul>
 *   <li>Cookie insert ({@code insert indirect nocache}): the cookie is removed from the request the
 *       back end gets, the other cookies stay. A response from another back end than the cookie's (or
 *       to a request without a valid cookie) sets a fresh one; a response from the cookie's back end
 *       sets it again only to move its last-seen time once it is older than a quarter of
 *       {@code max-idle}, as HAProxy does: a client seen at least every three quarters of
 *       {@code max-idle} never idles out, and an active client gets one Set-Cookie per quarter of
 *       {@code max-idle}, not one per response. A response that sets the cookie gets {@code
 *       Cache-Control: private} unless it says {@code private} or {@code no-store} already, so that no
 *       shared cache hands one client's cookie to others.</li>
 *   <li>Application cookie: a response whose Set-Cookie sets the cookie makes its value stick to the
 *       back end that answered; a request carrying the value goes there.</li>
 *   <li>Stick table: the key is counted on every request, sticks to the first back end that answers,
 *       and counts 5xx responses and failed attempts as errors.</li>
 * </ul>
 * A value that is not honoured (tampered, expired, or naming no server) is counted and treated as
 * absent: the request is served like one without it.
 *
 * <p>Threading: the exchange's event loop; the table and counters it writes are thread-safe.
 */
final class SessionPersistence {
    private final HttpExchange x;
    private final PoolPersistence pool;
    /** The back end the session is on, when it may take the request (up or draining); null otherwise. */
    Backend preferred;
    /** The server the request's session names (valid cookie or table entry), even if it is down; null: none. */
    private String sessionServer;
    private ServerCookie.Decoded cookie;
    private String key;
    /** The relayed response was a 5xx and counted: its attempt's failure is the same error. */
    private boolean errorCounted;

    SessionPersistence(HttpExchange x, PoolPersistence pool) {
        this.x = x;
        this.pool = pool;
    }

    /** Reads the request; sets {@link #preferred} and the request edits. */
    void onRequest(long nowNanos, long nowSeconds) {
        Head req = x.request;
        switch (pool.config()) {
            case PersistenceConfig.Cookie c -> {
                String v = req.cookie(c.name());
                if (v == null) return;
                String others = req.cookiesWithout(c.name());
                HeadEdits edits = x.requestEdits().remove("cookie");
                if (!others.isEmpty()) edits.add("Cookie", others);
                ServerCookie.Decoded d = pool.cookie().decode(v, nowSeconds, c.maxIdle().toSeconds(), c.maxLife().toSeconds());
                if (!d.ok()) {
                    pool.rejected(d.rejection());
                    return;
                }
                for (Member m : x.dispatch.pool().snapshot().backends().members()) {
                    String name = m.backend().name();
                    if (pool.cookie().serverId(name).equals(d.serverId())) {
                        cookie = d;
                        sessionServer = name;
                        preferred = x.dispatch.persistent(name);
                        return;
                    }
                }
                pool.rejected(ServerCookie.Rejection.UNKNOWN_SERVER);
            }
            case PersistenceConfig.AppCookie a -> {
                String v = req.cookie(a.name());
                if (v != null && !v.isEmpty()) lookUp(v, nowNanos, false);
            }
            case PersistenceConfig.Stick s -> {
                String k = stickKey(x, s.on());
                if (k == null || k.isEmpty()) return;
                // A connection is counted for a key on the first request of the connection that carries it.
                boolean newConnection = !k.equals(x.conn.stickKey);
                x.conn.stickKey = k;
                lookUp(k, nowNanos, newConnection);
            }
        }
    }

    private void lookUp(String k, long nowNanos, boolean newConnection) {
        key = k;
        sessionServer = pool.table().track(k, nowNanos, newConnection);
        if (sessionServer != null) preferred = x.dispatch.persistent(sessionServer);
    }

    private static String stickKey(HttpExchange x, PersistenceConfig.StickOn on) {
        return switch (on.source()) {
            case CLIENT_ADDRESS -> x.conn.clientIp;
            case HEADER -> x.request.header(on.name());
            case COOKIE -> x.request.cookie(on.name());
            case QUERY -> StickKeys.queryParameter(x.target(), on.name());
        };
    }

    /**
     * A route's {@code stick-counter}: the counter of the request's key in the pool's table, read
     * without recording anything, plus what {@link #onRequest} would add for this request (see
     * {@code RouteRequest.stickCounter}). 0 for a pool without a table or a request without a key.
     */
    static long counter(HttpExchange x, PoolPersistence pool, RouteConfig.Counter which, long nowNanos) {
        StickTable table = pool.table();
        if (table == null) return 0;
        String k = switch (pool.config()) {
            case PersistenceConfig.Stick s -> stickKey(x, s.on());
            case PersistenceConfig.AppCookie a -> x.request.cookie(a.name());
            case PersistenceConfig.Cookie c -> null;
        };
        if (k == null || k.isEmpty()) return 0;
        StickTable.Counters c = table.counters(k, nowNanos);
        // as in onRequest: only a stick table counts connections, on the first request with the key
        long connection = pool.config() instanceof PersistenceConfig.Stick && !k.equals(x.conn.stickKey) ? 1 : 0;
        if (c == null) c = new StickTable.Counters(0, 0, 0, 0, 0);
        return switch (which) {
            case REQUESTS -> c.requests() + 1;
            case REQUEST_RATE -> c.requestRate() + 1;
            case CONNECTIONS -> c.connections() + connection;
            case CONNECTION_RATE -> c.connectionRate() + connection;
            case ERRORS -> c.errors();
        };
    }

    /** A response head from {@code from} is about to be relayed: remember the session, or tell the client. */
    void onResponse(Head resp, Backend from, long nowNanos, long nowSeconds) {
        String server = from.name();
        switch (pool.config()) {
            case PersistenceConfig.Cookie c -> {
                boolean same = server.equals(sessionServer);
                long maxIdle = c.maxIdle().toSeconds();
                if (same && (maxIdle == 0 || nowSeconds - cookie.lastSeconds() < Math.max(1, maxIdle / 4))) return;
                long first = same ? cookie.firstSeconds() : nowSeconds;
                HeadEdits edits = x.responseEdits();
                edits.add("Set-Cookie", setCookie(c, pool.cookie().encode(server, first, nowSeconds), first, nowSeconds));
                if (!saysPrivate(resp.headerList("cache-control"))) edits.add("Cache-Control", "private");
            }
            case PersistenceConfig.AppCookie a -> {
                String v = resp.setCookie(a.name());
                if (v != null && !v.isEmpty()) {
                    pool.table().stick(v, server, nowNanos);
                } else if (key != null && !server.equals(sessionServer)) {
                    // its back end went away and another one answers the same session (replicated sessions)
                    pool.table().stick(key, server, nowNanos);
                }
            }
            case PersistenceConfig.Stick s -> {
                if (key == null) return;
                if (!server.equals(sessionServer)) pool.table().stick(key, server, nowNanos);
                if (resp.status >= 500) {
                    pool.table().error(key, nowNanos);
                    errorCounted = true;
                }
            }
        }
    }

    /** An attempt failed (connect, close, timeout, retried status, a relayed 5xx): an error for the key, once. */
    void attemptFailed(long nowNanos) {
        if (errorCounted) return;
        if (key != null && pool.config() instanceof PersistenceConfig.Stick) pool.table().error(key, nowNanos);
    }

    static String setCookie(PersistenceConfig.Cookie c, String value, long firstSeconds, long nowSeconds) {
        StringBuilder sb = new StringBuilder(c.name()).append('=').append(value).append("; Path=/");
        long life = c.maxLife().toSeconds();
        if (life > 0) sb.append("; Max-Age=").append(Math.max(0, life - (nowSeconds - firstSeconds)));
        if (c.httpOnly()) sb.append("; HttpOnly");
        if (c.secure()) sb.append("; Secure");
        if (c.sameSite() != null) sb.append("; SameSite=").append(c.sameSite());
        return sb.toString();
    }

    /** Whether Cache-Control already keeps shared caches from storing the response. */
    static boolean saysPrivate(String cacheControl) {
        if (cacheControl == null) return false;
        for (String d : cacheControl.toLowerCase(Locale.ROOT).split(",")) {
            String t = d.trim();
            if (t.equals("no-store") || t.equals("private")) return true;
        }
        return false;
    }
}
