package io.switchboard.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.switchboard.config.BackendTlsConfig;
import io.switchboard.config.TlsConfig;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * The client TLS contexts of pools that speak TLS to their back ends, and the handler for one
 * back-end connection: trust the pool's CA (or the JDK's default trust store), check the host name,
 * send SNI.
 *
 * <p>Contexts are kept by configuration: {@link #load} (the config loader, once per load) reads the
 * CA file and replaces the context of an equal configuration, so a reload picks up a renewed CA
 * file under the same path; {@link #context} (the data plane) builds one only for a configuration
 * that was never loaded (tests). Threading: safe from any thread (a concurrent map).
 */
public final class BackendTls {
    private static final Map<BackendTlsConfig, SslContext> CONTEXTS = new ConcurrentHashMap<>();
    /** The same, offering only h2 by ALPN (pools with {@code protocol: h2}). */
    private static final Map<BackendTlsConfig, SslContext> H2_CONTEXTS = new ConcurrentHashMap<>();

    private BackendTls() {}

    /**
     * Reads the CA file and builds the context now, replacing any earlier one for an equal configuration.
     *
     * @throws TlsSetupException when the CA file cannot be used ({@link TlsSetupException.Part#CA})
     */
    public static SslContext load(BackendTlsConfig config) {
        SslContext ctx = build(config, false);
        CONTEXTS.put(config, ctx);
        H2_CONTEXTS.remove(config); // built again from the renewed file on first use
        return ctx;
    }

    /** The context of a pool's TLS settings, built on first use when the loader did not. */
    public static SslContext context(BackendTlsConfig config) {
        SslContext ctx = CONTEXTS.get(config);
        return ctx != null ? ctx : CONTEXTS.computeIfAbsent(config, c -> build(c, false));
    }

    /** A client handler as {@link #handler}, offering only h2 by ALPN; the caller checks what was agreed. */
    public static SslHandler h2Handler(BackendTlsConfig config, ByteBufAllocator alloc, String host, int port) {
        String peer = config.sni() != null ? config.sni() : host;
        return H2_CONTEXTS.computeIfAbsent(config, c -> build(c, true)).newHandler(alloc, peer, port);
    }

    /**
     * A client handler for one connection to {@code host:port}: the SNI sent and the name checked are
     * the configured {@code sni}, else {@code host} (an IP address sends no SNI).
     */
    public static SslHandler handler(BackendTlsConfig config, ByteBufAllocator alloc, String host, int port) {
        String peer = config.sni() != null ? config.sni() : host;
        return context(config).newHandler(alloc, peer, port);
    }

    /**
     * A failed handshake with a back end, worded for the access log: "TLS handshake failed: certificate
     * not trusted". It counts as a failed connect (retried under the pool's rules).
     */
    public static final class HandshakeFailed extends SSLException {
        public HandshakeFailed(Throwable cause) {
            super("TLS handshake failed: " + reason(cause), cause);
        }
    }

    /** One line for people: the usual causes by name, else the engine's last message. */
    static String reason(Throwable cause) {
        Throwable last = cause;
        for (int i = 0; i < 8 && last != null; i++) {
            String m = String.valueOf(last.getMessage());
            if (last instanceof CertificateExpiredException || m.contains("CERTIFICATE_EXPIRED")) return "certificate expired";
            if (m.contains("PKIX path") || m.contains("unable to find valid certification path")
                    || m.contains("CERTIFICATE_VERIFY_FAILED") || m.contains("UNABLE_TO_GET_ISSUER")
                    || m.contains("SELF_SIGNED") || m.contains("self-signed") || m.contains("self signed")) {
                return "certificate not trusted";
            }
            if (m.contains("No subject alternative") || m.contains("No name matching") || m.contains("HOSTNAME_MISMATCH")) {
                return "certificate does not match the host name (" + m + ")";
            }
            if (last.getCause() == null || last.getCause() == last) break;
            last = last.getCause();
        }
        return ListenerTls.describe(cause);
    }

    private static SslContext build(BackendTlsConfig config, boolean h2) {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(TlsEngine.provider())
                .protocols(TlsConfig.PROTOCOLS)
                // Netty 4.2 checks the host name by default; say so explicitly, and turn it off only with verify.
                .endpointIdentificationAlgorithm(config.verify() ? "HTTPS" : null);
        if (!config.verify()) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (config.ca() != null) {
            List<X509Certificate> cas = PemFiles.certificateAuthorities(config.ca());
            b.trustManager(cas.toArray(X509Certificate[]::new));
        } // else: the JDK's default trust store
        if (h2) {
            b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2));
        }
        try {
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsSetupException(TlsSetupException.Part.SETTINGS, "cannot build the back-end TLS context: " + e.getMessage());
        }
    }
}
