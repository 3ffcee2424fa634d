package io.switchboard.dns;

/**
 * The SOA of a zone, without its serial (the engine owns the serial: it moves on every change of
 * the answers). {@code mname} and {@code rname} are absolute or relative to the zone. Immutable.
 */
public record SoaSpec(String mname, String rname, int ttl, int refresh, int retry, int expire, int minimum) {
    /** Defaults in the spirit of RFC 1912 with a short negative TTL, as health moves quickly. */
    public static SoaSpec defaults(String mname, String rname) {
        return new SoaSpec(mname, rname, 3600, 3600, 600, 1209600, 30);
    }
}
