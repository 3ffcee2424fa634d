package io.switchboard.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS engine serves handshakes: BoringSSL (netty-tcnative) when its native library loads on
 * this platform, which is several times cheaper per handshake and per byte than the JDK's, else the
 * JDK's {@code SSLEngine}. Chosen once per process and logged once, naming the reason for a fallback.
 *
 * <p>Threading: the choice is made in the class initializer; safe from any thread.
 */
public final class TlsEngine {
    private static final Logger log = LoggerFactory.getLogger(TlsEngine.class);
    private static final SslProvider PROVIDER = choose();

    private TlsEngine() {}

    /** {@link SslProvider#OPENSSL} (not the reference-counted variant: contexts are dropped on reload, not released). */
    public static SslProvider provider() {
        return PROVIDER;
    }

    /** For logs and the admin API: "BoringSSL" or "JDK". */
    public static String name() {
        return PROVIDER == SslProvider.OPENSSL ? "BoringSSL" : "JDK";
    }

    private static SslProvider choose() {
        if (OpenSsl.isAvailable()) {
            log.info("TLS engine: {} (netty-tcnative)", OpenSsl.versionString());
            return SslProvider.OPENSSL;
        }
        Throwable why = OpenSsl.unavailabilityCause();
        log.warn("TLS engine: JDK (BoringSSL is not available here: {}); handshakes cost more CPU",
                why == null ? "unknown reason" : why.toString());
        return SslProvider.JDK;
    }
}
