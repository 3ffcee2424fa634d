package io.switchboard.proxy.tls;

import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust of a listener that asks for no client certificate: none. Given no trust manager, Netty
 * takes the JDK's default one, which loads the ~140 certificates of {@code cacerts} and hands each to
 * BoringSSL, PEM-encoded, as the CAs a client certificate may come from: about 60 ms of every start
 * with TLS (async-profiler, bench/RESULTS.md), and the list is never used, since such a listener
 * never asks for a certificate. This one knows no CA and refuses every certificate, so it could not
 * accept one even if asked.
 *
 * <p>Threading: immutable; safe from any thread.
 */
final class TrustingNothing extends X509ExtendedTrustManager {
    static final TrustingNothing INSTANCE = new TrustingNothing();
    private static final X509Certificate[] NONE = new X509Certificate[0];

    /** What {@code SslContextBuilder.trustManager} takes: a factory of {@link #INSTANCE}. */
    static final TrustManagerFactory FACTORY = new SimpleTrustManagerFactory() {
        @Override
        protected void engineInit(KeyStore keyStore) {}

        @Override
        protected void engineInit(ManagerFactoryParameters parameters) {}

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            return new TrustManager[] {INSTANCE};
        }
    };

    private TrustingNothing() {}

    private static CertificateException refused() {
        return new CertificateException("no certificate is trusted here (the listener has no tls.client-certificates)");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw refused();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw refused();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw refused();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw refused();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw refused();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw refused();
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE.clone();
    }
}
