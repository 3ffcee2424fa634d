package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;

/**
 * A client connection's WebSocket handshake, from the head that asks for it to the tunnel or back to
 * requests: nothing the client sends after the handshake is read until it is answered; a refused
 * handshake (an ordinary response) resumes parsing requests; an accepted one makes the connection a
 * {@link WebSocketTunnel} for good, the bytes read after the handshake going to the back end first.
 *
 * <p>Static methods over the handler's fields, as {@link ClientDeadlines} and {@link ClientFin}: no
 * object per connection.
 *
 * <p>Threading: the connection's event loop.
 */
final class ClientUpgrade {
    private ClientUpgrade() {}

    /** The decoder read a WebSocket handshake: stop reading until it is answered. */
    static void requested(FrontendHandler h) {
        h.upgradeHeld = true;
        FrontendHandler.setAutoRead(h.ctx.channel(), false);
    }

    /**
     * The handshake was answered without a tunnel (its exchange ended; written after its answer, so
     * that answers stay in order): what came after it is parsed as requests.
     */
    static void resumeIfRefused(FrontendHandler h) {
        if (!h.upgradeHeld || h.exchange != null || h.queued() > 0 || h.closing) return;
        h.upgradeHeld = false;
        Http1Decoder d = h.decoder();
        if (d != null) d.upgradeRefused(h.stream);
    }

    /**
     * The back end switched to WebSocket: from now on the connection is {@code t}. What the client sent
     * after the handshake goes to the back end first.
     */
    static void tunnelStarts(FrontendHandler h, WebSocketTunnel t) {
        h.exchange = null;
        h.upgradeHeld = false;
        ClientDeadlines.tunnelStarts(h);
        h.tunnel = t;
        Http1Decoder d = h.decoder();
        ByteBuf held = d == null ? null : d.tunnel();
        if (held != null) t.fromClient(held);
        t.clientReadComplete();
        if (t.backendWritable()) FrontendHandler.setAutoRead(h.ctx.channel(), true);
    }

    /** The tunnel ended: the connection (an HTTP/2 stream: only the stream) closes once what is written went out. */
    static void tunnelEnded(FrontendHandler h) {
        if (h.closing) return;
        h.closing = true;
        h.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
