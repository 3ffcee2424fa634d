package io.switchboard.proxy.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import io.switchboard.config.TlsConfig;
import io.switchboard.proxy.proxyprotocol.ClientAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one TLS listener keeps for as long as it is bound: the current {@link SniContexts} (swapped
 * whole by a reload: handshakes that start later use the new certificates, open connections keep the
 * engine they have), the session-ticket keys and their rotation, and the count of failed handshakes
 * with a rate-limited log of them (a port scanner or a plain-text client must not flood the log, and
 * never with a stack trace).
 *
 * <p>Threading: the contexts are published by one volatile write; handshakes read them on any event
 * loop; a reload and a key rotation are serialized on this object (so new contexts never miss a
 * rotation); counters are atomic.
 */
public final class ListenerTls implements Mapping<String, SslContext>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ListenerTls.class);
    /** How often a new session-ticket key is made; tickets stay valid for one more rotation. */
    public static final Duration TICKET_KEY_ROTATION = Duration.ofHours(1);
    private static final long FAILURE_LOG_INTERVAL = TimeUnit.SECONDS.toNanos(10);
    /** BoringSSL's "error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL": the reason is the last part. */
    private static final Pattern ENGINE_ERROR = Pattern.compile("error:[0-9a-fA-F]+:[^:]*:[^:]*:([A-Z0-9_]+)");

    private final String listener;
    private final TicketKeys tickets = new TicketKeys();
    private final ScheduledFuture<?> rotation;
    private final Runnable onFailure;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - FAILURE_LOG_INTERVAL);
    private final AtomicLong unlogged = new AtomicLong();
    private volatile SniContexts current;

    /**
     * @param timer runs the ticket-key rotation; null: keys are never rotated (tests)
     * @throws TlsSetupException when a file or setting cannot be used
     */
    public ListenerTls(String listener, TlsConfig config, ScheduledExecutorService timer) {
        this(listener, config, timer, () -> { });
    }

    /** @param onFailure also told of every failed handshake (the listener's metrics) */
    public ListenerTls(String listener, TlsConfig config, ScheduledExecutorService timer, Runnable onFailure) {
        this(listener, config, SniContexts.ALPN_HTTP1, timer, onFailure);
    }

    /** @param alpn what ALPN advertises ({@link SniContexts#ALPN} with HTTP/2) */
    public ListenerTls(String listener, TlsConfig config, List<String> alpn, ScheduledExecutorService timer, Runnable onFailure) {
        this.listener = listener;
        this.onFailure = onFailure;
        use(build(config, alpn));
        long every = TICKET_KEY_ROTATION.toMillis();
        this.rotation = timer == null ? null : timer.scheduleAtFixedRate(this::rotateTicketKeys, every, every, TimeUnit.MILLISECONDS);
    }

    /** Reads the files and builds the contexts of {@code config}, without using them yet. */
    public static SniContexts build(TlsConfig config) {
        return SniContexts.build(config, Instant.now());
    }

    /** @param alpn what ALPN advertises */
    public static SniContexts build(TlsConfig config, List<String> alpn) {
        return SniContexts.build(config, Instant.now(), alpn);
    }

    /** From now on, new handshakes use {@code next}. */
    public synchronized void use(SniContexts next) {
        if (next.config().sessionTickets()) tickets.applyTo(next.contexts());
        current = next;
    }

    public SniContexts current() {
        return current;
    }

    /** Makes a new ticket key for new tickets; the one before still decrypts. */
    public synchronized void rotateTicketKeys() {
        SniContexts c = current;
        if (c.config().sessionTickets()) tickets.rotate(c.contexts());
    }

    /** SNI: the context of the name the client sent (null: none sent), the default for an unknown one. */
    @Override
    public SslContext map(String serverName) {
        return current.forName(serverName);
    }

    /**
     * The first TLS handler of a connection: reads the ClientHello, then replaces itself with the
     * {@code SslHandler} of the chosen certificate.
     *
     * @param helloTimeout time allowed for the ClientHello to arrive
     */
    public ChannelHandler newSniHandler(Duration helloTimeout) {
        return new SniHandler(this, helloTimeout.toMillis());
    }

    /** Goes right after {@link #newSniHandler}: counts failed handshakes, records the client certificate. */
    public ChannelHandler newObserver() {
        return new TlsHandshakeObserver(this);
    }

    /** Handshakes that failed since the listener was bound (metrics). */
    public long handshakeFailures() {
        return failures.get();
    }

    /** Header and subject for a connection whose handshake succeeded, by the settings now in force. */
    TlsPeer peer(String subject) {
        TlsConfig.ClientCertificates cc = current.config().clientCertificates();
        return cc == null ? new TlsPeer(null, null) : new TlsPeer(cc.header(), subject);
    }

    /** Counts a failed handshake; logs at most one line per interval, with how many were not logged. */
    void handshakeFailed(Channel ch, Throwable cause) {
        failures.incrementAndGet();
        onFailure.run();
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= FAILURE_LOG_INTERVAL && lastLogged.compareAndSet(last, now)) {
            long more = unlogged.getAndSet(0);
            String client = ClientAddress.of(ch) instanceof InetSocketAddress a && a.getAddress() != null
                    ? a.getAddress().getHostAddress() : String.valueOf(ClientAddress.of(ch));
            log.warn("listener {}: TLS handshake with {} failed: {}{}", listener, client, describe(cause),
                    more > 0 ? " (" + more + " more failed handshakes not logged)" : "");
        } else {
            unlogged.incrementAndGet();
        }
    }

    /** One line, no stack trace, no hex dump of what a plain-text client sent. */
    static String describe(Throwable cause) {
        Throwable t = cause;
        for (int i = 0; i < 8 && t != null; i++) {
            if (t instanceof NotSslRecordException) return "not TLS (a plain-text client on a TLS port?)";
            if (t.getCause() == null || t.getCause() == t) break;
            t = t.getCause();
        }
        String m = t == null ? null : t.getMessage();
        if (m == null) m = t == null ? "unknown" : t.getClass().getSimpleName();
        Matcher engine = ENGINE_ERROR.matcher(m);
        if (engine.matches()) m = engine.group(1).toLowerCase(Locale.ROOT).replace('_', ' '); // "unsupported protocol"
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }

    @Override
    public void close() {
        if (rotation != null) rotation.cancel(false);
    }
}
