package io.switchboard.proxy.guard;

import io.netty.channel.Channel;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.proxyprotocol.ClientAddress;

/**
 * The listener's {@code rate-limit}: each request takes a token from its client's bucket
 * ({@link RateTable}); a request that finds the bucket empty is refused ({@code 429 Too Many
 * Requests} with {@code Retry-After}), which the front end answers, in order, after the responses to
 * requests before it, with {@code Connection: close}. Closing (rather than keeping the connection)
 * means the client's next attempt costs it a new connection, which the connection limits also count,
 * and nothing of the refused request's body needs to be read: from the refused request on, the
 * front end releases everything the client sends.
 *
 * <p>Threading: the channel's event loop; the table is shared by the listener's loops.
 */
public final class RateLimiter implements RequestGuard {
    private final ListenerGuard guard;
    private final Channel channel;
    private ClientKey key;

    RateLimiter(ListenerGuard guard, Channel channel) {
        this.guard = guard;
        this.channel = channel;
    }

    /** The limiter for a new connection, or null when the listener has no rate limit. */
    public static RequestGuard of(Channel ch, ListenerConfig listener) {
        if (!listener.guard().limitsRate()) return null; // not configured: no check at all
        return new RateLimiter(ListenerGuard.of(ch, listener), ch);
    }

    @Override
    public Verdict check() {
        if (key == null) key = ClientKey.of(ClientAddress.of(channel));
        if (guard.rates.tryAcquire(key, guard.clock.getAsLong())) return null;
        String reason = "more than " + fmt(guard.config.requestsPerSecond()) + " requests per second (burst " + guard.config.burst() + ")";
        guard.rateLog.refused(ClientKey.text(ClientAddress.of(channel)), reason);
        return new Verdict(429, "rate limit: " + reason, (int) Math.max(1, Math.ceil(1 / guard.config.requestsPerSecond())));
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
