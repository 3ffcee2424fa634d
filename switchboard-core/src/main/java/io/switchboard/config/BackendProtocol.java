package io.switchboard.config;

/**
 * What a pool speaks to its back ends. {@link #H2} is HTTP/2 with prior knowledge in plain text
 * (h2c) or by ALPN over the pool's TLS; it is what gRPC back ends need (trailers, streaming both ways).
 */
public enum BackendProtocol {
    HTTP_1_1("http/1.1"),
    H2("h2");

    private final String word;

    BackendProtocol(String word) {
        this.word = word;
    }

    /** The word the config file uses. */
    public String word() {
        return word;
    }
}
