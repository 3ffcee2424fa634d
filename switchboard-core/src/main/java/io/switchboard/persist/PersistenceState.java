package io.switchboard.persist;

import io.switchboard.config.PersistenceConfig;
import io.switchboard.config.PoolConfig;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * The persistence state of a dispatcher's pools, by pool name, across reloads (as {@code
 * PoolRegistry} keeps the pools): a reload that keeps a pool's persistence keeps its stick table
 * (resized to the new size and expiry) and its counters; a pool removed, or whose persistence changed
 * kind or key, loses its table, since its keys would mean nothing any more.
 *
 * <p>The cookie key: from the environment variable the pool names ({@code secret-env}), else one
 * random key per process, kept across reloads. With the random key a restart makes every cookie
 * unknown (clients get a new server and a fresh cookie); a cluster, whose nodes must honour each
 * other's cookies, needs the environment key.
 *
 * <p>Threading: {@link #reconcile} is serialized (the thread that reloads); {@link #pool} from any
 * thread, one volatile read. Tables and counters are thread-safe themselves.
 */
public final class PersistenceState {
    /** One pool's persistence: its config, and its table or cookie codec; and what was rejected. */
    public static final class PoolPersistence {
        private final PersistenceConfig config;
        private final StickTable table;       // app-cookie and stick; null for cookie
        private final ServerCookie cookie;    // cookie; null otherwise
        private final Map<ServerCookie.Rejection, LongAdder> rejected;

        PoolPersistence(PersistenceConfig config, StickTable table, ServerCookie cookie,
                        Map<ServerCookie.Rejection, LongAdder> rejected) {
            this.config = config;
            this.table = table;
            this.cookie = cookie;
            this.rejected = rejected;
        }

        public PersistenceConfig config() { return config; }

        /** The stick table (app-cookie and stick persistence), or null. */
        public StickTable table() { return table; }

        /** The cookie codec (cookie persistence), or null. */
        public ServerCookie cookie() { return cookie; }

        /** A cookie or table value was not honoured: counted, the request is served as if it had none. */
        public void rejected(ServerCookie.Rejection why) {
            rejected.get(why).increment();
        }

        /** How many values were not honoured, by reason (for metrics and the admin API). */
        public Map<ServerCookie.Rejection, Long> rejections() {
            Map<ServerCookie.Rejection, Long> m = new EnumMap<>(ServerCookie.Rejection.class);
            rejected.forEach((k, v) -> m.put(k, v.sum()));
            return m;
        }
    }

    /** Hears every stick table's own changes, with the pool's name (cluster replication). */
    public interface StickListener {
        /** See {@link StickTable.Listener#stuck}. */
        void stuck(String pool, String key, String server);

        /** See {@link StickTable.Listener#forgotten}. */
        void forgotten(String pool, String key);
    }

    private final byte[] processKey;
    /** Null unless the cluster replicates; given to every table, also those a later reload builds. */
    private StickListener stickListener;
    private final UnaryOperator<String> env;
    /** Replaced whole by {@link #reconcile}: a request never sees a pool missing halfway through a reload. */
    private volatile Map<String, PoolPersistence> pools = Map.of();

    /** With a random process key and the process environment. */
    public PersistenceState() {
        this(randomKey(), System::getenv);
    }

    /** @param env reads an environment variable (tests pass a map's get) */
    public PersistenceState(byte[] processKey, UnaryOperator<String> env) {
        this.processKey = processKey.clone();
        this.env = Objects.requireNonNull(env, "env");
    }

    private static byte[] randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    /** The persistence of the named pool, or null when it has none. */
    public PoolPersistence pool(String name) {
        return pools.get(name);
    }

    /** Makes the state what the pools ask for (start-up and every reload), keeping what persists. */
    public synchronized void reconcile(Collection<PoolConfig> next) {
        Map<String, PoolPersistence> wanted = new HashMap<>();
        for (PoolConfig pc : next) {
            PersistenceConfig p = pc.persistence();
            if (p == null) continue;
            PoolPersistence built = build(p, pools.get(pc.name()));
            if (built.table != null) built.table.listen(tableListener(pc.name()));
            wanted.put(pc.name(), built);
        }
        pools = Map.copyOf(wanted);
    }

    /**
     * Sets the listener of every stick table, those of later reloads included (null: none). The
     * tables call it under their own lock: see {@link StickTable.Listener}.
     */
    public synchronized void listen(StickListener l) {
        stickListener = l;
        for (Map.Entry<String, PoolPersistence> e : pools.entrySet()) {
            if (e.getValue().table != null) e.getValue().table.listen(tableListener(e.getKey()));
        }
    }

    private StickTable.Listener tableListener(String pool) {
        StickListener l = stickListener;
        if (l == null) return null;
        return new StickTable.Listener() {
            @Override
            public void stuck(String key, String server) {
                l.stuck(pool, key, server);
            }

            @Override
            public void forgotten(String key) {
                l.forgotten(pool, key);
            }
        };
    }

    private PoolPersistence build(PersistenceConfig p, PoolPersistence before) {
        Map<ServerCookie.Rejection, LongAdder> rejected = before != null ? before.rejected : newCounters();
        return switch (p) {
            case PersistenceConfig.Cookie c -> new PoolPersistence(p, null, new ServerCookie(key(c.secretEnv())), rejected);
            case PersistenceConfig.AppCookie a -> new PoolPersistence(p,
                    table(before, p, a.size(), a.expire().toNanos()), null, rejected);
            case PersistenceConfig.Stick s -> new PoolPersistence(p,
                    table(before, p, s.size(), s.expire().toNanos()), null, rejected);
        };
    }

    /** The old table when it holds the same kind of keys (resized), else a new one. */
    private static StickTable table(PoolPersistence before, PersistenceConfig p, int size, long expireNanos) {
        if (before != null && before.table != null && sameKeys(before.config, p)) {
            before.table.resize(size, expireNanos);
            return before.table;
        }
        return new StickTable(size, expireNanos);
    }

    private static boolean sameKeys(PersistenceConfig a, PersistenceConfig b) {
        if (a instanceof PersistenceConfig.AppCookie x && b instanceof PersistenceConfig.AppCookie y) return x.name().equals(y.name());
        if (a instanceof PersistenceConfig.Stick x && b instanceof PersistenceConfig.Stick y) return x.on().equals(y.on());
        return false;
    }

    private byte[] key(String secretEnv) {
        if (secretEnv == null) return processKey;
        String secret = env.apply(secretEnv);
        // The loader refuses a config whose variable is unset; if it went away since, keep serving.
        return secret == null || secret.isEmpty() ? processKey : ServerCookie.keyOf(secret);
    }

    private static Map<ServerCookie.Rejection, LongAdder> newCounters() {
        Map<ServerCookie.Rejection, LongAdder> m = new EnumMap<>(ServerCookie.Rejection.class);
        for (ServerCookie.Rejection r : ServerCookie.Rejection.values()) m.put(r, new LongAdder());
        return m;
    }
}
