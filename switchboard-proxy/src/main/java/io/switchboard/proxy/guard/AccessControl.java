package io.switchboard.proxy.guard;

import io.netty.channel.Channel;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.proxyprotocol.ClientAddress;

/**
 * The listener's {@code allow} and {@code deny} lists ({@link AccessPolicy}): the client's address is
 * checked once per connection; a refused client's first request is refused ({@code 403 Forbidden}),
 * which the front end answers with {@code Connection: close} and logs in the access log; nothing the
 * client sends reaches a back end. The refusal is also logged as a (throttled) warning.
 *
 * <p>Threading: the channel's event loop.
 */
public final class AccessControl implements RequestGuard {
    private final ListenerGuard guard;
    private final Channel channel;
    private String refusal;
    private boolean checked;

    AccessControl(ListenerGuard guard, Channel channel) {
        this.guard = guard;
        this.channel = channel;
    }

    /** The check for a new connection, or null when the listener has no lists. */
    public static RequestGuard of(Channel ch, ListenerConfig listener) {
        if (!listener.guard().filtersAddresses()) return null; // not configured: no check at all
        return new AccessControl(ListenerGuard.of(ch, listener), ch);
    }

    @Override
    public Verdict check() {
        if (!checked) {
            checked = true;
            refusal = guard.access.refusal(ClientKey.addressBytes(ClientAddress.of(channel)));
        }
        if (refusal == null) return null;
        guard.accessLog.refused(ClientKey.text(ClientAddress.of(channel)), refusal);
        return new Verdict(403, "client address " + refusal, 0);
    }
}
