package io.switchboard.proxy.guard;

/**
 * A check on each request head of one connection, before any byte of it can reach a back end. It
 * only judges; the front end answers. A connection-level guard ({@link ConnectionLimiter}) acts on
 * the connection itself instead.
 *
 * <p>Threading: one instance per connection, called on its event loop, in the order the heads
 * arrived (so a rate limit counts requests as they come, not as they are answered).
 */
public interface RequestGuard {
    /** @return null to let the request through, else the refusal */
    Verdict check();

    /** Runs each guard in turn; the first refusal wins. */
    static RequestGuard of(RequestGuard... guards) {
        int n = 0;
        for (RequestGuard g : guards) if (g != null) n++;
        if (n == 0) return null;
        RequestGuard[] live = new RequestGuard[n];
        int i = 0;
        for (RequestGuard g : guards) if (g != null) live[i++] = g;
        if (n == 1) return live[0];
        return () -> {
            for (RequestGuard g : live) {
                Verdict v = g.check();
                if (v != null) return v;
            }
            return null;
        };
    }
}
