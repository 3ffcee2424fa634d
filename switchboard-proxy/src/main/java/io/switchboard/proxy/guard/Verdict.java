package io.switchboard.proxy.guard;

/**
 * A request guard's refusal: the status to answer with, why (for the access log), and the seconds
 * for {@code Retry-After} (0 for none). The front end answers it in order, after the responses to
 * the requests before it, and closes the connection.
 */
public record Verdict(int status, String reason, int retryAfter) {}
