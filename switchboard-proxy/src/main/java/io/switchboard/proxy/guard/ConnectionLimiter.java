package io.switchboard.proxy.guard;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.proxyprotocol.ClientAddress;
import java.util.function.Consumer;

/**
 * The listener's {@code max-connections} and {@code max-connections-per-ip}: a connection over
 * either limit is closed at accept, before a byte of it is read, and a (throttled) line is logged.
 *
 * <p>Why close rather than answer 503: answering means reading and parsing a request first, which
 * holds the connection (and a slot of the very resource the limit protects) for up to the header
 * timeout, and lets an attacker make the dispatcher do work per connection. A close at accept costs
 * nothing; the client sees the connection reset and may retry. The limits count open connections,
 * so a client that stays under them is never affected by one that does not.
 *
 * <p>It holds back {@code channelActive} from the handlers after it, and drops what a refused
 * connection sends, so nothing reads it. Behind a listener's {@code proxy-protocol}, a trusted proxy's
 * connection is counted once its header is read, under the client address the header carries. Threading: the channel's event loop; the counts are shared by the listener's loops.
 */
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private final ListenerGuard guard;
    private final Consumer<String> refusedBy;
    private ClientKey key;
    private boolean counted;
    private boolean refused;

    ConnectionLimiter(ListenerGuard guard, Consumer<String> refusedBy) {
        this.guard = guard;
        this.refusedBy = refusedBy;
    }

    /**
     * The limiter for a new connection, or null when the listener has no limits (then it is not added).
     *
     * @param refusedBy told the config key of the limit ({@code max-connections}, {@code max-connections-per-ip})
     *                  when a connection is closed at accept (the listener's metrics)
     */
    public static ChannelHandler of(Channel ch, ListenerConfig listener, Consumer<String> refusedBy) {
        if (!listener.guard().limitsConnections()) return null; // not configured: not in the pipeline at all
        return new ConnectionLimiter(ListenerGuard.of(ch, listener), refusedBy);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        key = ClientKey.of(ClientAddress.of(ctx.channel()));
        String refused = guard.connections.tryAcquire(key);
        if (refused != null) {
            guard.connectionLog.refused(ClientKey.text(ClientAddress.of(ctx.channel())), refused);
            refusedBy.accept(ConnectionCounts.limitOf(refused));
            this.refused = true;
            ctx.close();
            return;
        }
        counted = true;
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Bytes read before the refusal (a PROXY header's read carries the first request too) go nowhere.
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            counted = false;
            guard.connections.release(key);
        }
        ctx.fireChannelInactive();
    }
}
