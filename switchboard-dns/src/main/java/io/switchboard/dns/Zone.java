package io.switchboard.dns;

/**
 * A compiled zone: its apex in wire form and its SOA record body (everything after the owner
 * name), once with the SOA's own TTL for SOA answers and once with the negative-caching TTL
 * min(SOA TTL, minimum) (RFC 2308 3) for NXDOMAIN/NODATA. Immutable.
 */
final class Zone {
    final int id;
    final String origin;
    final byte[] apex;
    final long serial;
    final byte[] soaBody;
    final byte[] negativeSoaBody;

    Zone(int id, String origin, byte[] apex, long serial, byte[] soaBody, byte[] negativeSoaBody) {
        this.id = id;
        this.origin = origin;
        this.apex = apex;
        this.serial = serial;
        this.soaBody = soaBody;
        this.negativeSoaBody = negativeSoaBody;
    }
}
