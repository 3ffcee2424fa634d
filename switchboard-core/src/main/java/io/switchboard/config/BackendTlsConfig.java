package io.switchboard.config;

import java.nio.file.Path;

/**
 * TLS from the proxy to the back ends of one pool. Only a path and names: the data plane reads the
 * CA file and builds the client TLS context (core stays JDK-only); the config loader builds it once at
 * load time so that {@code check} and {@code run} refuse the same file.
 *
 * @param ca PEM bundle of the CAs back-end certificates must chain to; null: the JDK's default trust store
 * @param sni the name sent as SNI and checked against the back end's certificate; null: each server's
 *            host (no SNI is sent for an IP address, which is then checked against the certificate's IP SANs)
 * @param verify whether the back end's certificate chain and host name are checked; false only when
 *               configured so, with a warning
 */
public record BackendTlsConfig(Path ca, String sni, boolean verify) {
}
