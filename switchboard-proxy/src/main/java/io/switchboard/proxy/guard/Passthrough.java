package io.switchboard.proxy.guard;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerAdapter;

/**
 * Stands in the pipeline for a guard that is not configured on a listener, so the pipeline has the
 * same shape either way. It overrides no event method, so Netty skips it when passing events.
 */
@Sharable
final class Passthrough extends ChannelHandlerAdapter {
    static final Passthrough INSTANCE = new Passthrough();

    private Passthrough() {}
}
