package io.switchboard.persist;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bounded map from a request key (client address, header, cookie or query value) to the back end
 * its requests stick to, with per-key counters that rate limits and routes can read (HAProxy's
 * {@code stick-table type string size N expire T store server_id,http_req_rate,conn_rate,http_err_cnt}).
 *
 * <p>Bounded: at most {@link #capacity()} entries, the least recently used evicted first; an entry
 * unused for {@code expire} is gone. Since every use moves an entry to the young end and its expiry
 * is its last use plus the one expiry of the table, the order of last use is also the order of expiry: the
 * expired entries are always the oldest, purged from the old end on every write (amortized O(1), no
 * sweeper thread).
 *
 * <p>Keys longer than {@link #MAX_KEY_CHARS} are cut before use ({@link #key}) so that a client
 * cannot make the table hold huge keys.
 *
 * <p>Rates are HAProxy's {@code freq_ctr}: the count of the current {@value #RATE_PERIOD_SECONDS}
 * s period plus the previous period's count weighted by the part of it still inside the sliding
 * window. Three longs per counter instead of a bucket ring ({@code WindowedCounter}, about 200 bytes
 * a counter): at 100 000 entries that is the difference between a few and tens of megabytes.
 *
 * <p>Threading: thread-safe; every method synchronizes on the table. A plain lock on a
 * {@link LinkedHashMap} kept in order of last use: each request holds it for one hash lookup and a few field writes (well under
 * a microsecond), so event loops seldom meet on it, and striping would make the LRU order (and the
 * size cap) per stripe. {@link #page} copies under the lock, O(entries), for the admin API only.
 */
public final class StickTable {
    /** Keys are at most this many characters; longer ones keep a prefix and a hash of the whole. */
    public static final int MAX_KEY_CHARS = 128;
    static final int PREFIX_CHARS = 96;
    public static final int RATE_PERIOD_SECONDS = 10;
    private static final long PERIOD_NANOS = RATE_PERIOD_SECONDS * 1_000_000_000L;

    /** Counters of one key, as of a time. Rates are events in the last {@value #RATE_PERIOD_SECONDS} s. */
    public record Counters(long requests, long requestRate, long connections, long connectionRate, long errors) {}

    /** One entry as the admin API shows it. */
    public record Entry(String key, String server, long ageNanos, long expiresInNanos, Counters counters) {}

    /**
     * Hears the table's own changes of who a key sticks to (cluster replication). Called under the
     * table's lock: it must be quick, must not block and must not call back into the table.
     * {@link #adopt} and {@link #forgetAdopted} (a peer's entries) are not told.
     */
    public interface Listener {
        /**
         * The key (as stored, see {@link #key}) sticks to this server: it was stuck here, or a
         * request used it again more than half an expiry after it was last told, so that the peers'
         * copies, which only this node's requests keep alive, do not expire while it is in use.
         */
        void stuck(String key, String server);

        /** The key was removed. */
        void forgotten(String key);
    }

    /** One page of entries in key order, and the key to ask {@code after} for the next (null: last page). */
    public record Page(List<Entry> entries, int total, String next) {}

    private static final class Rate {
        long period = Long.MIN_VALUE;
        long current;
        long previous;

        void add(long now) {
            roll(now);
            current++;
        }

        long read(long now) {
            roll(now);
            long into = Math.floorMod(now, PERIOD_NANOS);
            // previous * (remaining part of the window that it still covers), rounded up
            return current + (previous * (PERIOD_NANOS - into) + PERIOD_NANOS - 1) / PERIOD_NANOS;
        }

        private void roll(long now) {
            long p = Math.floorDiv(now, PERIOD_NANOS);
            if (p == period) return;
            previous = p == period + 1 ? current : 0;
            current = 0;
            period = p;
        }
    }

    private static final class Slot {
        final long created;
        String server;
        long lastUse;
        /** When the listener was last told of this entry's server. */
        long told;
        long requests;
        long connections;
        long errors;
        final Rate requestRate = new Rate();
        final Rate connectionRate = new Rate();

        Slot(long now) {
            created = now;
            lastUse = now;
            told = now;
        }
    }

    /** Oldest use first: a use moves the entry to the end ({@link #use}); reads leave the order alone. */
    private final LinkedHashMap<String, Slot> map = new LinkedHashMap<>();
    private int capacity;
    private long expireNanos;
    private long evicted;
    /** Null unless the cluster replicates: then requests pay nothing for it. */
    private Listener listener;

    /** @param expireNanos how long an unused entry lives (more than 0) */
    public StickTable(int capacity, long expireNanos) {
        resize(capacity, expireNanos);
    }

    /** A new size cap and expiry (a reload): entries beyond the cap go, least recently used first. */
    public synchronized void resize(int capacity, long expireNanos) {
        if (capacity < 1) throw new IllegalArgumentException("a stick table needs room for at least one entry");
        if (expireNanos <= 0) throw new IllegalArgumentException("a stick table's expiry must be positive");
        this.capacity = capacity;
        this.expireNanos = expireNanos;
        trim();
    }

    /** Sets the listener (null: none). */
    public synchronized void listen(Listener l) {
        listener = l;
    }

    public synchronized int capacity() {
        return capacity;
    }

    public synchronized int size() {
        return map.size();
    }

    /** Entries dropped to stay under the cap so far (expired ones are not counted). */
    public synchronized long evicted() {
        return evicted;
    }

    /**
     * The key as the table stores it: unchanged up to {@link #MAX_KEY_CHARS}; a longer one keeps its
     * first {@value #PREFIX_CHARS} characters, then {@code ~} and 16 bytes of the SHA-256 of the whole
     * (base64url). A plain cut would make keys that share a long prefix (JWTs share their header) one
     * key. The caller bounds the input (a request head is bounded).
     */
    public static String key(String raw) {
        if (raw.length() <= MAX_KEY_CHARS) return raw;
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8));
            byte[] tag = new byte[16];
            System.arraycopy(h, 0, tag, 0, 16);
            return raw.substring(0, PREFIX_CHARS) + "~" + Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /**
     * A request with this key arrived: counts it (and a connection when it is the first request of
     * its client connection that carries the key), and returns the server the key sticks to, or
     * null. Creates the entry (without a server) when there is none, so counters exist before the
     * first response.
     */
    public synchronized String track(String key, long nowNanos, boolean newConnection) {
        String k = key(key);
        Slot s = use(k, nowNanos);
        s.requests++;
        s.requestRate.add(nowNanos);
        if (newConnection) {
            s.connections++;
            s.connectionRate.add(nowNanos);
        }
        if (listener != null && s.server != null && nowNanos - s.told >= expireNanos / 2) {
            s.told = nowNanos;
            listener.stuck(k, s.server);
        }
        return s.server;
    }

    /** The server this key sticks to, or null; counts nothing and does not make the entry younger. */
    public synchronized String server(String key, long nowNanos) {
        Slot s = map.get(key(key));
        return s == null || nowNanos - s.lastUse >= expireNanos ? null : s.server;
    }

    /** Makes the key stick to this server (a response came from it). */
    public synchronized void stick(String key, String server, long nowNanos) {
        String k = key(key);
        Slot s = use(k, nowNanos);
        boolean moved = !server.equals(s.server);
        s.server = server;
        // every response sticks again: the peers hear of a new server at once, of the same one only
        // as often as their copies need to stay alive (as track does)
        if (listener != null && (moved || nowNanos - s.told >= expireNanos / 2)) {
            s.told = nowNanos;
            listener.stuck(k, server);
        }
    }

    /**
     * A peer's entry: the key sticks to this server, as if a response came from it now, without
     * telling the listener (the peer told its own peers already; telling would echo it back).
     */
    public synchronized void adopt(String key, String server, long nowNanos) {
        Slot s = use(key(key), nowNanos);
        s.server = server;
        s.told = nowNanos;
    }

    /** A peer removed the key: removed here too, without telling the listener. */
    public synchronized void forgetAdopted(String key) {
        map.remove(key(key));
    }

    /** Counts an error (a 5xx, or an attempt that failed) for this key, if it has an entry. */
    public synchronized void error(String key, long nowNanos) {
        Slot s = map.get(key(key));
        if (s != null && nowNanos - s.lastUse < expireNanos) s.errors++;
    }

    /** Removes the key (its server is gone). */
    public synchronized void forget(String key) {
        String k = key(key);
        if (map.remove(k) != null && listener != null) listener.forgotten(k);
    }

    /** The counters of this key, or null when it has no live entry; for rate limits and routes. */
    public synchronized Counters counters(String key, long nowNanos) {
        Slot s = map.get(key(key));
        if (s == null || nowNanos - s.lastUse >= expireNanos) return null;
        return counters(s, nowNanos);
    }

    private static Counters counters(Slot s, long now) {
        return new Counters(s.requests, s.requestRate.read(now), s.connections, s.connectionRate.read(now), s.errors);
    }

    /**
     * Up to {@code limit} live entries in key order after {@code after} (null: from the first), for
     * the admin API. Does not make entries younger.
     */
    public Page page(String after, int limit, long nowNanos) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1");
        TreeMap<String, Entry> chosen = new TreeMap<>();
        int total;
        synchronized (this) {
            purge(nowNanos);
            total = map.size();
            for (Map.Entry<String, Slot> e : map.entrySet()) {
                String k = e.getKey();
                if (after != null && k.compareTo(after) <= 0) continue;
                if (chosen.size() == limit + 1 && k.compareTo(chosen.lastKey()) >= 0) continue;
                Slot s = e.getValue();
                chosen.put(k, new Entry(k, s.server, nowNanos - s.created, s.lastUse + expireNanos - nowNanos,
                        counters(s, nowNanos)));
                if (chosen.size() > limit + 1) chosen.pollLastEntry();
            }
        }
        String next = null;
        if (chosen.size() > limit) {
            chosen.pollLastEntry();
            next = chosen.lastKey();
        }
        return new Page(new ArrayList<>(chosen.values()), total, next);
    }

    /** The live entry of this key, made when missing, moved to the young end with its last use now. */
    private Slot use(String k, long now) {
        purge(now);
        Slot s = map.remove(k);
        if (s == null || now - s.lastUse >= expireNanos) s = new Slot(now);
        s.lastUse = now;
        map.put(k, s);
        trim();
        return s;
    }

    private void purge(long now) {
        Iterator<Slot> it = map.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().lastUse < expireNanos) return;
            it.remove();
        }
    }

    private void trim() {
        Iterator<Slot> it = map.values().iterator();
        while (map.size() > capacity && it.hasNext()) {
            it.next();
            it.remove();
            evicted++;
        }
    }
}
