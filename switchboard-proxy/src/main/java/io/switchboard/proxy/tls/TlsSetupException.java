package io.switchboard.proxy.tls;

/**
 * A TLS setting that cannot be used, with a message for people (what file, what is wrong, what
 * would do) and which part of the settings it is about, so that the config loader can point at the
 * right key.
 *
 * <p>Threading: immutable.
 */
public final class TlsSetupException extends IllegalArgumentException {
    /** What the problem is about. */
    public enum Part {
        /** The certificate file of a {@code certificates} entry. */
        CERT,
        /** The key file of a {@code certificates} entry, or the pair as a whole. */
        KEY,
        /** The CA file of {@code client-certificates}. */
        CA,
        /** Protocols, ciphers, or what the engine refused. */
        SETTINGS
    }

    private final Part part;

    public TlsSetupException(Part part, String message) {
        super(message);
        this.part = part;
    }

    public Part part() {
        return part;
    }
}
