package io.switchboard.proxy.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import io.switchboard.config.TlsConfig;
import io.switchboard.proxy.tls.TlsSetupException.Part;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * The server TLS contexts of one listener's settings, one per certificate, and which one a client
 * gets by the name it sent (SNI): exact names first, then {@code *.example.com} wildcards, else the
 * first certificate. Built whole from the files at load and at every reload, never changed after.
 *
 * <p>ALPN: {@code h2} then {@code http/1.1} ({@link #ALPN}) on a listener with HTTP/2, else only
 * {@code http/1.1} ({@link #ALPN_HTTP1}); the front end picks its pipeline from {@code
 * SslHandler.applicationProtocol()} after the handshake.
 *
 * <p>Threading: immutable; safe from any thread. The hand-over of checked contexts is a synchronized map.
 */
public final class SniContexts {
    /** Advertised by ALPN, in order of preference, on a listener with HTTP/2. */
    public static final List<String> ALPN = List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);
    /** Advertised by ALPN on a listener without HTTP/2. */
    public static final List<String> ALPN_HTTP1 = List.of(ApplicationProtocolNames.HTTP_1_1);
    /** Sessions kept for resumption by session ID (per context), and for how long. */
    public static final long SESSION_CACHE_SIZE = 20_480;
    public static final long SESSION_TIMEOUT_SECONDS = 300;

    private final TlsConfig config;
    private final List<SslContext> contexts;
    private final Mapping<String, SslContext> byName;

    private SniContexts(TlsConfig config, List<SslContext> contexts, Mapping<String, SslContext> byName) {
        this.config = config;
        this.contexts = contexts;
        this.byName = byName;
    }

    /**
     * Reads every file and builds every context.
     *
     * @throws TlsSetupException naming the file and the problem
     */
    public static SniContexts build(TlsConfig config, Instant now) {
        return build(config, now, TlsEngine.provider(), ALPN_HTTP1);
    }

    /** @param alpn the protocols to advertise ({@link #ALPN} or {@link #ALPN_HTTP1}) */
    public static SniContexts build(TlsConfig config, Instant now, List<String> alpn) {
        return build(config, now, TlsEngine.provider(), alpn);
    }

    /** With a given engine: tests run the JDK fallback on a machine where BoringSSL loads. */
    static SniContexts build(TlsConfig config, Instant now, SslProvider provider) {
        return build(config, now, provider, ALPN_HTTP1);
    }

    static SniContexts build(TlsConfig config, Instant now, SslProvider provider, List<String> alpn) {
        List<X509Certificate> ca = config.clientCertificates() == null ? null
                : PemFiles.certificateAuthorities(config.clientCertificates().ca());
        List<SslContext> contexts = new ArrayList<>();
        DomainWildcardMappingBuilder<SslContext> names = null;
        Set<String> seen = new HashSet<>();
        for (TlsConfig.Certificate c : config.certificates()) {
            PemFiles.KeyPair pair = PemFiles.keyPair(c.cert(), c.key(), now);
            SslContext ctx = CHECKED.remove(new Made(config, pair, provider, alpn, ca));
            if (ctx == null) ctx = context(config, pair, ca, provider, alpn);
            contexts.add(ctx);
            if (names == null) names = new DomainWildcardMappingBuilder<>(ctx);
            // The first certificate to claim a name keeps it, as in the file's order.
            for (String n : c.names().isEmpty() ? PemFiles.names(pair.leaf()) : c.names()) {
                String name = n.toLowerCase(Locale.ROOT);
                if (seen.add(name)) names.add(name, ctx);
            }
        }
        return new SniContexts(config, List.copyOf(contexts), names.build());
    }

    /**
     * Checks one certificate entry the way {@link #build} would (the config loader, to point at its
     * line), by building its context. The context is kept for the next {@link #build} that asks for
     * the same one (same settings, same file contents, same ALPN and client CAs), so that a start or
     * a reload builds each context once, not once for the check and once for use: at start-up, while
     * the JIT is cold, a context costs tens of milliseconds. A context is handed out once only: two
     * listeners never share one (each keeps its own session-ticket keys).
     *
     * <p>The client CAs come from the caller, who read them once for all of the listener's certificates
     * (and pointed at the {@code ca} line if that failed). {@link #build} reads the CA file again, on
     * purpose: a file changed since the check makes other CAs, so the checked context is not taken.
     *
     * @param ca the certificates of {@code config.clientCertificates().ca()} ({@link
     *     PemFiles#certificateAuthorities}); null when the config has no client certificates
     * @param alpn what the listener will advertise ({@link #ALPN} or {@link #ALPN_HTTP1})
     * @return the context built, which the next matching {@link #build} takes
     */
    public static SslContext check(TlsConfig config, List<X509Certificate> ca, TlsConfig.Certificate c, Instant now,
                                   List<String> alpn) {
        if ((ca == null) != (config.clientCertificates() == null)) {
            throw new IllegalArgumentException("client CAs given " + (ca != null) + ", config has client certificates "
                    + (config.clientCertificates() != null));
        }
        PemFiles.KeyPair pair = PemFiles.keyPair(c.cert(), c.key(), now);
        SslProvider provider = TlsEngine.provider();
        SslContext ctx = context(config, pair, ca, provider, alpn);
        CHECKED.put(new Made(config, pair, provider, alpn, ca), ctx);
        return ctx;
    }

    /** What a context was built from: two equal ones make interchangeable contexts. */
    private record Made(TlsConfig config, PemFiles.KeyPair pair, SslProvider provider, List<String> alpn, List<X509Certificate> ca) {}

    /** Contexts built by {@link #check} and not yet taken by {@link #build}; the oldest go past 16 (a check with no start). */
    private static final Map<Made, SslContext> CHECKED = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Made, SslContext> eldest) {
            return size() > 16;
        }
    });

    private static SslContext context(TlsConfig config, PemFiles.KeyPair pair, List<X509Certificate> ca, SslProvider provider,
                                      List<String> alpn) {
        List<String> ciphers = new ArrayList<>(config.ciphers());
        if (config.protocols().contains("TLSv1.3")) ciphers.addAll(TlsConfig.TLS13_CIPHERS);
        SslContextBuilder b = SslContextBuilder.forServer(pair.key(), pair.chain())
                // the in-memory key store the engine's key manager is built from: JKS protects the key
                // with one SHA-1 pass, PKCS12 (the default) with 10,000 rounds of PBKDF2, 0.1 s at start
                .keyStoreType("JKS")
                .sslProvider(provider)
                .protocols(config.protocols())
                .ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
                .sessionCacheSize(SESSION_CACHE_SIZE)
                .sessionTimeout(SESSION_TIMEOUT_SECONDS);
        if (ca != null) {
            b.trustManager(ca).clientAuth(config.clientCertificates().required() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        } else {
            b.trustManager(TrustingNothing.FACTORY);
        }
        try {
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsSetupException(Part.SETTINGS, "the TLS engine (" + provider + ") refused the settings: " + e.getMessage());
        }
    }

    public TlsConfig config() {
        return config;
    }

    /** One per certificate, in the config's order. */
    public List<SslContext> contexts() {
        return contexts;
    }

    /** The context for a server name; the first certificate's for null or an unknown name. */
    public SslContext forName(String serverName) {
        return byName.map(serverName);
    }
}
