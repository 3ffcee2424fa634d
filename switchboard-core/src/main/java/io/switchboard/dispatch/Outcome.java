package io.switchboard.dispatch;

/**
 * How one attempt on a back end ended, and what it says about that back end.
 *
 * <p>Three kinds of verdict: the back end did its job ({@link Charge#SUCCESS}: resets its run of
 * consecutive failures), it failed ({@link Charge#FAILURE}: counts towards passive ejection), or the
 * ending says nothing about it ({@link Charge#NONE}): the client left, sent a bad or too large body,
 * was too slow; a pooled keep-alive connection had gone stale; or the request itself is the suspect
 * because it already failed on another back end. Charging a back end for a client's fault would let
 * one client eject a healthy pool.
 */
public enum Outcome {
    /** A response that the pool counts as good. */
    OK(Charge.SUCCESS),
    /** A 5xx response, in a pool that counts them as failures. */
    SERVER_ERROR(Charge.FAILURE),
    /** No connection: refused, timed out, unreachable. */
    CONNECT_FAILED(Charge.FAILURE),
    /** The connection closed or reset after the request went out and before the response head. */
    CLOSED_BEFORE_RESPONSE(Charge.FAILURE),
    /** No response head within the pool's response timeout. */
    RESPONSE_TIMEOUT(Charge.FAILURE),
    /** A response that breaks the protocol. */
    BAD_RESPONSE(Charge.FAILURE),
    /** The response started and then broke off (closed, reset, malformed, idle too long). */
    BROKEN_MID_RESPONSE(Charge.FAILURE),
    /** The back end stopped reading the request body for longer than its idle timeout. */
    WRITE_STALLED(Charge.FAILURE),
    /** A reused keep-alive connection that the back end had already closed. */
    STALE_CONNECTION(Charge.NONE),
    /** The same request already failed on another back end: it is the likely cause, not this server. */
    SUSPECT_REQUEST(Charge.NONE),
    /** The client closed, sent a malformed or too large body, stopped reading, or was too slow. */
    CLIENT_FAULT(Charge.NONE);

    /** What an outcome does to the back end's passive-health record. */
    public enum Charge { SUCCESS, FAILURE, NONE }

    private final Charge charge;

    Outcome(Charge charge) {
        this.charge = charge;
    }

    public Charge charge() {
        return charge;
    }

    public boolean failure() {
        return charge == Charge.FAILURE;
    }
}
