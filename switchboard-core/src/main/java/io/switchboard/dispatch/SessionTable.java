package io.switchboard.dispatch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The session–server binding table of the layer-4 switch (seed 002): one entry per open TCP session,
 * made at accept, bound to a server once connected, and removed when the session ends (both FINs, a
 * reset, the idle timeout, shutdown). The admin API pages through it and the metrics count it.
 *
 * <p>Entries are kept in id order (ids grow), so a page by offset is stable while sessions come and go
 * after it. Byte counts are written by the session's event loop only and read racily by the admin
 * (opaque accesses: a reader sees a recent value, never a torn one); the per-listener totals are
 * {@link LongAdder}s, so the hot path costs two plain-ish additions per relayed buffer.
 *
 * <p>Threading: thread-safe. {@link Session#up}/{@link Session#down} and {@link Session#bind} are called
 * by the session's own loop; everything else from any thread.
 */
public final class SessionTable {
    private static final VarHandle UP, DOWN;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            UP = l.findVarHandle(Session.class, "up", long.class);
            DOWN = l.findVarHandle(Session.class, "down", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One open session: who, where to, since when, and the bytes relayed each way so far. */
    public static final class Session {
        private final long id;
        private final Totals totals;
        private final String client;
        private final long sinceMillis;
        private volatile String pool;
        private volatile String server;
        @SuppressWarnings("unused") private long up;   // via UP: client to server
        @SuppressWarnings("unused") private long down; // via DOWN: server to client

        private Session(long id, Totals totals, String client, long sinceMillis) {
            this.id = id;
            this.totals = totals;
            this.client = client;
            this.sinceMillis = sinceMillis;
        }

        public long id() { return id; }
        public String listener() { return totals.listener; }
        /** The client's {@code address:port} as the session sees it. */
        public String client() { return client; }
        /** Epoch milliseconds of the accept. */
        public long sinceMillis() { return sinceMillis; }
        /** The pool of the bound server; null before the session is bound. */
        public String pool() { return pool; }
        /** The server the session is bound to; null while it is being picked or connected. */
        public String server() { return server; }
        /** Bytes from the client to the server so far. */
        public long bytesUp() { return (long) UP.getOpaque(this); }
        /** Bytes from the server to the client so far. */
        public long bytesDown() { return (long) DOWN.getOpaque(this); }

        /** The session is connected to {@code server} of {@code pool}; on the session's loop. */
        public void bind(String pool, String server) {
            this.pool = pool;
            this.server = server;
        }

        /** {@code n} bytes went from the client to the server; on the session's loop (single writer). */
        public void up(int n) {
            UP.setOpaque(this, (long) UP.getOpaque(this) + n);
            totals.up.add(n);
        }

        /** {@code n} bytes went from the server to the client; on the session's loop (single writer). */
        public void down(int n) {
            DOWN.setOpaque(this, (long) DOWN.getOpaque(this) + n);
            totals.down.add(n);
        }
    }

    /** Counters of one listener, kept after its sessions end (monotonic, for Prometheus). */
    private static final class Totals {
        final String listener;
        final LongAdder up = new LongAdder();
        final LongAdder down = new LongAdder();
        final LongAdder opened = new LongAdder();

        Totals(String listener) {
            this.listener = listener;
        }
    }

    /** What a listener has relayed since start: sessions opened and bytes each way. */
    public record ListenerTotals(String listener, long sessionsOpened, long bytesUp, long bytesDown) {}

    /** One page of a listener's sessions, and how many matched in all. */
    public record Page(int total, List<Session> sessions) {}

    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentSkipListMap<Long, Session> open = new ConcurrentSkipListMap<>();
    private final Map<String, Totals> totals = new ConcurrentHashMap<>();

    /** A session accepted on {@code listener} from {@code client} (address:port) at {@code nowMillis}; not yet bound. */
    public Session open(String listener, String client, long nowMillis) {
        Totals t = totals.computeIfAbsent(listener, Totals::new);
        t.opened.increment();
        Session s = new Session(ids.incrementAndGet(), t, client, nowMillis);
        open.put(s.id, s);
        return s;
    }

    /** The session ended; idempotent. */
    public void close(Session s) {
        open.remove(s.id, s);
    }

    /** Open sessions in all (for graceful shutdown and tests). */
    public int size() {
        return open.size();
    }

    /**
     * The open sessions of {@code listener}, bound to {@code server} when it is not null, oldest first:
     * {@code limit} of them after skipping {@code offset}. O(open sessions): an admin read, not a hot path.
     */
    public Page page(String listener, String server, int offset, int limit) {
        List<Session> out = new ArrayList<>(Math.min(limit, 256));
        int total = 0;
        for (Session s : open.values()) {
            if (!s.listener().equals(listener) || server != null && !server.equals(s.server)) continue;
            if (total >= offset && out.size() < limit) out.add(s);
            total++;
        }
        return new Page(total, out);
    }

    /** Open sessions per listener; every listener that ever had one is there, with 0 when none is open. */
    public Map<String, Integer> openByListener() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String l : totals.keySet()) out.put(l, 0);
        for (Session s : open.values()) out.merge(s.listener(), 1, Integer::sum);
        return out;
    }

    /** A server sessions are bound to: listener, pool and server name. */
    public record Binding(String listener, String pool, String server) {}

    /** Open, bound sessions per listener, pool and server. */
    public Map<Binding, Integer> openByServer() {
        Map<Binding, Integer> out = new LinkedHashMap<>();
        for (Session s : open.values()) {
            String server = s.server;
            if (server != null) out.merge(new Binding(s.listener(), s.pool, server), 1, Integer::sum);
        }
        return out;
    }

    /** Every listener that ever had a session, with its monotonic counters. */
    public List<ListenerTotals> totals() {
        List<ListenerTotals> out = new ArrayList<>();
        for (Totals t : totals.values()) out.add(new ListenerTotals(t.listener, t.opened.sum(), t.up.sum(), t.down.sum()));
        return out;
    }
}
