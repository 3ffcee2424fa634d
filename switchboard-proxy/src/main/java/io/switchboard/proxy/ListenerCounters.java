package io.switchboard.proxy;

import io.switchboard.proxy.proxyprotocol.ProxyProtocolAcceptor;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What happened on one listener, for the metrics: connections open now, connections closed at accept
 * by a connection limit (by the limit's config key), requests the proxy refused itself, by status, and
 * failed TLS handshakes, and connections closed for their PROXY protocol header (or its absence).
 * Counting costs one {@link LongAdder} update, with no allocation: the event loops of a listener share
 * these counters, and a LongAdder does not make them contend on one cache line.
 *
 * <p>Threading: updated by any event loop, read by the metrics scrape; every method is thread-safe.
 */
public final class ListenerCounters {
    /** The statuses {@link #refused} counts; others (our 502, 503, 504 are not refusals) are ignored. */
    public static final List<Integer> REFUSAL_STATUSES = List.of(400, 403, 408, 413, 414, 429, 431);
    /** The connection limits that close a connection at accept, by config key. */
    public static final List<String> ACCEPT_LIMITS = List.of("max-connections", "max-connections-per-ip");
    /** Why a connection was closed by the listener's {@code proxy-protocol}. */
    public static final List<String> PROXY_PROTOCOL_REFUSALS = ProxyProtocolAcceptor.REFUSALS;

    private final String listener;
    private final LongAdder open = new LongAdder();
    private final LongAdder[] refusedAtAccept = adders(ACCEPT_LIMITS.size());
    private final LongAdder[] refused = adders(REFUSAL_STATUSES.size());
    private final LongAdder tlsHandshakeFailures = new LongAdder();
    private final LongAdder[] proxyProtocolRefused = adders(PROXY_PROTOCOL_REFUSALS.size());
    private final LongAdder validationFailures = new LongAdder();

    public ListenerCounters(String listener) {
        this.listener = listener;
    }

    public String listener() {
        return listener;
    }

    public void connectionOpened() {
        open.increment();
    }

    public void connectionClosed() {
        open.decrement();
    }

    /** Connections open now (accepted and not refused by a limit). */
    public long openConnections() {
        return open.sum();
    }

    /** A connection was closed at accept by {@code limit}, one of {@link #ACCEPT_LIMITS} (others are ignored). */
    public void refusedAtAccept(String limit) {
        int i = ACCEPT_LIMITS.indexOf(limit);
        if (i >= 0) refusedAtAccept[i].increment();
    }

    /** Connections closed at accept by {@code limit}, one of {@link #ACCEPT_LIMITS}. */
    public long refusedAtAcceptTotal(String limit) {
        int i = ACCEPT_LIMITS.indexOf(limit);
        return i < 0 ? 0 : refusedAtAccept[i].sum();
    }

    /** The proxy answered a request with {@code status} itself; counted when it is one of {@link #REFUSAL_STATUSES}. */
    public void refused(int status) {
        int i = switch (status) {
            case 400 -> 0;
            case 403 -> 1;
            case 408 -> 2;
            case 413 -> 3;
            case 414 -> 4;
            case 429 -> 5;
            case 431 -> 6;
            default -> -1;
        };
        if (i >= 0) refused[i].increment();
    }

    /** Requests refused with {@code status}, one of {@link #REFUSAL_STATUSES}. */
    public long refusedTotal(int status) {
        int i = REFUSAL_STATUSES.indexOf(status);
        return i < 0 ? 0 : refused[i].sum();
    }

    /** A TLS handshake failed (a plain-text client, no common protocol or cipher, no client certificate). */
    public void tlsHandshakeFailed() {
        tlsHandshakeFailures.increment();
    }

    /** Failed TLS handshakes; 0 on a plain-text listener. */
    public long tlsHandshakeFailures() {
        return tlsHandshakeFailures.sum();
    }

    /** A connection was closed by the listener's {@code proxy-protocol}, for {@code reason}, one of {@link #PROXY_PROTOCOL_REFUSALS}. */
    public void proxyProtocolRefused(String reason) {
        int i = PROXY_PROTOCOL_REFUSALS.indexOf(reason);
        if (i >= 0) proxyProtocolRefused[i].increment();
    }

    /** Connections closed by the listener's {@code proxy-protocol} for {@code reason}. */
    public long proxyProtocolRefusedTotal(String reason) {
        int i = PROXY_PROTOCOL_REFUSALS.indexOf(reason);
        return i < 0 ? 0 : proxyProtocolRefused[i].sum();
    }

    /** A {@code mode: tcp} listener's validator closed a session (not a ClientHello, a bad line, a command not allowed). */
    public void validationFailed() {
        validationFailures.increment();
    }

    /** Sessions closed by the listener's validator; 0 without one. */
    public long validationFailures() {
        return validationFailures.sum();
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) a[i] = new LongAdder();
        return a;
    }

    /** Every listener's counters of one proxy, created on first use and kept across reloads. */
    public static final class Registry {
        private final ConcurrentHashMap<String, ListenerCounters> byListener = new ConcurrentHashMap<>();

        public ListenerCounters of(String listener) {
            return byListener.computeIfAbsent(listener, ListenerCounters::new);
        }

        /** A copy, for the scrape. */
        public List<ListenerCounters> all() {
            return List.copyOf(byListener.values());
        }
    }
}
