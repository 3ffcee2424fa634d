package io.switchboard.proxy.tcp;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * TLS 1.2 session IDs a server established, per pool, so a client resuming one goes back to that
 * server (seed 002's SSL session ID switching). Learned from the server's ServerHello
 * ({@link ServerHelloWatch}), only when the server chose TLS 1.2 or older: a TLS 1.3 ServerHello echoes
 * the client's random legacy ID, which names no session. Bounded: {@link #CAPACITY} entries, least
 * recently used first out, each good for {@link #TTL} (a server's session cache keeps them about as long).
 *
 * <p>Threading: any event loop; every method synchronizes on the table (one short map operation).
 */
final class TlsSessionIds {
    static final int CAPACITY = 65_536;
    static final long TTL = TimeUnit.MINUTES.toNanos(10);

    private record Learned(String server, long expires) {}

    private final Map<String, Learned> table = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Learned> eldest) {
            return size() > CAPACITY;
        }
    };

    private static String key(String pool, byte[] id) {
        return pool + '/' + HexFormat.of().formatHex(id);
    }

    /** The server that established {@code id} in {@code pool}; null when unknown or expired. */
    synchronized String server(String pool, byte[] id, long nowNanos) {
        if (id.length == 0) return null;
        String k = key(pool, id);
        Learned e = table.get(k);
        if (e == null) return null;
        if (nowNanos - e.expires() > 0) {
            table.remove(k);
            return null;
        }
        return e.server();
    }

    synchronized void learn(String pool, byte[] id, String server, long nowNanos) {
        if (id.length > 0) table.put(key(pool, id), new Learned(server, nowNanos + TTL));
    }

    synchronized int size() {
        return table.size();
    }
}
