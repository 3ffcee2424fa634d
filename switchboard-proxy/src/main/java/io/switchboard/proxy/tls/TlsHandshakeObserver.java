package io.switchboard.proxy.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits after the TLS handler of one connection. A failed handshake (a plain-text client, no shared
 * protocol or cipher, a refused client certificate) is counted once and logged by its {@link
 * ListenerTls}, and the connection closed without a stack trace; a successful one leaves the
 * connection's {@link TlsPeer} (the verified client-certificate subject) for the HTTP front end.
 * TLS errors after the handshake (a bad record) close the connection with a debug line.
 *
 * <p>Threading: one per connection, on its event loop.
 */
final class TlsHandshakeObserver extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TlsHandshakeObserver.class);
    private final ListenerTls tls;
    private boolean done;

    TlsHandshakeObserver(ListenerTls tls) {
        this.tls = tls;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e && !done) {
            done = true;
            if (e.isSuccess()) {
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                ctx.channel().attr(TlsPeer.KEY).set(tls.peer(ssl == null ? null : subject(ssl)));
            } else {
                tls.handshakeFailed(ctx.channel(), e.cause());
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            done = true;
            tls.handshakeFailed(ctx.channel(), cause);
            ctx.close();
        } else if (isTls(cause)) {
            log.debug("TLS error on an established connection, closing: {}", ListenerTls.describe(cause));
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    private static boolean isTls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) return true;
        }
        return false;
    }

    /** The verified client certificate's subject, or null when the client sent none. */
    private static String subject(SslHandler ssl) {
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) return null;
            return headerSafe(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** Escapes what a header value must not hold (controls, non-ASCII) as {@code \XX} UTF-8 bytes. */
    static String headerSafe(String dn) {
        StringBuilder out = new StringBuilder(dn.length());
        for (byte b : dn.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 0x20 || c >= 0x7f) out.append('\\').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            else out.append((char) c);
        }
        return out.toString();
    }
}
