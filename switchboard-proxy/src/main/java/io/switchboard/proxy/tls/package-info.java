/**
 * TLS termination on listeners: reading PEM certificates and keys with errors for people ({@code
 * PemFiles}), the engine (BoringSSL through netty-tcnative, else the JDK's: {@code TlsEngine}), the
 * server contexts of a listener chosen by SNI ({@code SniContexts}), what a listener keeps across
 * reloads (the current contexts, rotating session-ticket keys, handshake-failure counts: {@code
 * ListenerTls}) and the per-connection handshake observer. May import {@code config} and Netty; must
 * not import {@code proxy.http} (the HTTP front end imports this package), admin or app.
 */
package io.switchboard.proxy.tls;
