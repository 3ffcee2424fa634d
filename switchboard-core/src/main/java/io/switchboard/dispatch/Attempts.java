package io.switchboard.dispatch;

import io.switchboard.backend.Backend;
import io.switchboard.config.RetryOn;
import java.util.HashSet;
import java.util.Set;

/**
 * The retry and replay rule for one request: which back ends it already failed on, whether it may go
 * to another one, and what each failure says about the back end it happened on.
 *
 * <ul>
 *   <li>A connect failure is the back end's: it is charged and excluded, and the request (nothing of
 *       which was sent) may try another, up to the pool's {@code retries}.</li>
 *   <li>A close before the response head on a reused keep-alive connection is a stale connection,
 *       not the back end's fault: replayed on a fresh one if the request can be sent again, without
 *       using up a retry or a budget token.</li>
 *   <li>A close before the response head on a fresh connection is charged to that back end the first
 *       time. When the same request then fails the same way on a second back end, the request is the
 *       suspect (it kills whichever server it reaches): that back end is charged nothing and the client
 *       gets a 502, and the charge on the first back end is taken back ({@link #firstCharged()}). One
 *       request repeated by one client then charges nobody, and passive ejection cannot be driven by
 *       the request itself.</li>
 *   <li>Every retry of a request that reached a back end takes a token from the pool's {@link
 *       RetryBudget}; {@link #finish()} gives them back. A retry after a failed connect takes none:
 *       nothing reached a server, and {@code retries} bounds it.</li>
 * </ul>
 *
 * <p>Threading: confined to the request's event loop.
 */
public final class Attempts {
    private final int retries;
    private final Set<RetryOn> retryOn;
    private final RetryBudget budget;
    private int failedStatus;
    private int attempts;
    private int failedAfterSend;
    private int tokens;
    private Backend firstCharged;
    private Set<Backend> excluded;

    /** With the default {@code retry-on} ({@link RetryOn#DEFAULT}). */
    public Attempts(int retries, RetryBudget budget) {
        this(retries, RetryOn.DEFAULT, budget);
    }

    public Attempts(int retries, Set<RetryOn> retryOn, RetryBudget budget) {
        this.retries = retries;
        this.retryOn = retryOn;
        this.budget = budget;
    }

    /**
     * Whether a response head with {@code status} is one that {@code retry-on} lists: the data plane
     * holds such a head back instead of relaying it, and asks {@link #mayRetry} after
     * {@link #failedWithStatus}.
     */
    public boolean retriesOn(int status) {
        return switch (status) {
            case 502 -> retryOn.contains(RetryOn.STATUS_502);
            case 503 -> retryOn.contains(RetryOn.STATUS_503);
            case 504 -> retryOn.contains(RetryOn.STATUS_504);
            default -> false;
        };
    }

    /** A pick is about to be made: counts one attempt. */
    public void begin() {
        attempts++;
    }

    /** The pick found every back end full and the request waits: waiting is not an attempt. */
    public void unbegin() {
        attempts--;
    }

    /** Attempts made beyond the first (for the access log). */
    public int retried() {
        return Math.max(0, attempts - 1);
    }

    /** The back ends this request must not be sent to again; empty, never null. */
    public Set<Backend> excluded() {
        return excluded == null ? Set.of() : excluded;
    }

    /** Whether any back end was excluded (the 503 then says "all tried failed"). */
    public boolean triedSome() {
        return excluded != null;
    }

    /** A connection to {@code b} could not be made. */
    public Outcome connectFailed(Backend b) {
        exclude(b);
        return Outcome.CONNECT_FAILED;
    }

    /** The connection to {@code b} closed after the request was sent and before the response head. */
    public Outcome closedBeforeResponse(Backend b, boolean reusedConnection) {
        if (reusedConnection) return Outcome.STALE_CONNECTION;
        exclude(b);
        if (failedAfterSend++ > 0) return Outcome.SUSPECT_REQUEST;
        firstCharged = b;
        return Outcome.CLOSED_BEFORE_RESPONSE;
    }

    /** {@code b} answered with {@code status}, one that {@link #retriesOn} lists. */
    public Outcome failedWithStatus(Backend b, int status) {
        exclude(b);
        failedStatus = status;
        return Outcome.SERVER_ERROR;
    }

    /** {@code b} sent no response head within the pool's response timeout. */
    public Outcome responseTimedOut(Backend b) {
        exclude(b);
        return Outcome.RESPONSE_TIMEOUT;
    }

    /** The back end charged for this request's first close before a response (null if none). */
    public Backend firstCharged() {
        return firstCharged;
    }

    /**
     * Whether to dispatch again after {@code failure}.
     *
     * @param replayable the request can be sent again: no body bytes went out, and it is idempotent or
     *                   failed on a stale reused connection (so the back end never processed it); after
     *                   a response timeout or a status, also nothing of the response went to the client
     */
    public boolean mayRetry(Outcome failure, boolean replayable) {
        return switch (failure) {
            case STALE_CONNECTION -> {
                if (!replayable) yield false;
                attempts--; // a stale connection does not use up a retry
                yield true;
            }
            case CONNECT_FAILED -> retryOn.contains(RetryOn.CONN_FAILURE) && replayable && attempts <= retries;
            case CLOSED_BEFORE_RESPONSE -> retryOn.contains(RetryOn.EMPTY_RESPONSE) && retryAfterSend(replayable);
            case RESPONSE_TIMEOUT -> retryOn.contains(RetryOn.RESPONSE_TIMEOUT) && retryAfterSend(replayable);
            case SERVER_ERROR -> retriesOn(failedStatus) && retryAfterSend(replayable);
            default -> false;
        };
    }

    /** A retry of a request that reached a back end: bounded by {@code retries} and the budget. */
    private boolean retryAfterSend(boolean replayable) {
        if (!replayable || attempts > retries || !budget.tryAcquire()) return false;
        tokens++;
        return true;
    }

    /** The request is over: gives back the budget tokens its retries took. Idempotent. */
    public void finish() {
        while (tokens > 0) {
            tokens--;
            budget.release();
        }
    }

    private void exclude(Backend b) {
        if (excluded == null) excluded = new HashSet<>(4);
        excluded.add(b);
    }
}
