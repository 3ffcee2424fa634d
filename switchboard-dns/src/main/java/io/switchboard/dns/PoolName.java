package io.switchboard.dns;

/**
 * A name answered with A/AAAA records of a pool's eligible servers: at most {@code maxRecords} per
 * answer, the order rotated by weight, each record with {@code ttl}. {@code name} is relative to the
 * zone ({@code "@"} for the apex) or absolute with a trailing dot. Immutable.
 */
public record PoolName(String name, String pool, int ttl, int maxRecords) {
    public static final int DEFAULT_TTL = 30;
    public static final int DEFAULT_MAX_RECORDS = 8;

    public PoolName {
        if (ttl < 0) {
            throw new IllegalArgumentException("name " + name + ": ttl " + ttl + " must be 0 or more seconds");
        }
        if (maxRecords < 1) {
            throw new IllegalArgumentException("name " + name + ": max records " + maxRecords + " must be at least 1");
        }
    }

    public PoolName(String name, String pool) {
        this(name, pool, DEFAULT_TTL, DEFAULT_MAX_RECORDS);
    }
}
