package io.switchboard.proxy.probe;

import java.util.Objects;

/**
 * The verdict of one probe and why, in words for people ("HTTP 200 in 3 ms", "connect refused",
 * "timeout after 1000 ms"). The detail ends up in the pool's transition cause and in the log.
 *
 * <p>Threading: an immutable value.
 */
public record ProbeResult(boolean ok, String detail) {
    public ProbeResult {
        Objects.requireNonNull(detail, "detail");
    }

    public static ProbeResult passed(String detail) {
        return new ProbeResult(true, detail);
    }

    public static ProbeResult failed(String detail) {
        return new ProbeResult(false, detail);
    }
}
