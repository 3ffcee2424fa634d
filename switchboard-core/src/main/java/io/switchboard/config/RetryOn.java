package io.switchboard.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One condition of a pool's {@code retry-on} list, under which a failed attempt may go to another
 * back end (HAProxy's {@code retry-on}). The default, {@link #DEFAULT}, is what Switchboard did before
 * the key existed: retry after a failed connect and after a close before the response head.
 *
 * <p>Threading: immutable.
 */
public enum RetryOn {
    /** The connection could not be made (nothing was sent). */
    CONN_FAILURE("conn-failure"),
    /** The back end closed the connection after the request and before the response head. */
    EMPTY_RESPONSE("empty-response"),
    /** No response head within the pool's {@code response-timeout}. */
    RESPONSE_TIMEOUT("response-timeout"),
    /** A response head with status 502 (idempotent requests, nothing relayed yet). */
    STATUS_502("502"),
    /** A response head with status 503. */
    STATUS_503("503"),
    /** A response head with status 504. */
    STATUS_504("504");

    /** {@code [conn-failure, empty-response]}: the behaviour before {@code retry-on} existed. */
    public static final Set<RetryOn> DEFAULT = Collections.unmodifiableSet(EnumSet.of(CONN_FAILURE, EMPTY_RESPONSE));

    private final String key;

    RetryOn(String key) {
        this.key = key;
    }

    /** The word in the config file. */
    public String key() {
        return key;
    }

    /** The status this condition retries on, or 0 for the conditions that are no status. */
    public int status() {
        return switch (this) {
            case STATUS_502 -> 502;
            case STATUS_503 -> 503;
            case STATUS_504 -> 504;
            default -> 0;
        };
    }

    /** Every word the config accepts, in this order. */
    public static List<String> keys() {
        return Arrays.stream(values()).map(RetryOn::key).toList();
    }

    /** The condition named {@code key} in the config file; null when there is none. */
    public static RetryOn byKey(String key) {
        for (RetryOn r : values()) if (r.key.equals(key)) return r;
        return null;
    }
}
