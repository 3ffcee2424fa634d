package io.switchboard.proxy.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.security.SecureRandom;
import java.util.List;

/**
 * Session-ticket keys of one listener: a fresh random key every rotation, the previous one kept to
 * decrypt tickets issued before it (so a ticket lives between one and two rotations). Keys stay in
 * memory only: a restart invalidates every ticket, which costs one full handshake per client.
 * Only the BoringSSL engine takes keys; the JDK's engine keeps its own.
 *
 * <p>Threading: synchronized; rotation runs on a timer thread, reloads on the controlling thread.
 */
final class TicketKeys {
    private final SecureRandom random = new SecureRandom();
    private OpenSslSessionTicketKey current = next();
    private OpenSslSessionTicketKey previous;

    synchronized void rotate(List<SslContext> contexts) {
        previous = current;
        current = next();
        applyTo(contexts);
    }

    /** The first key encrypts new tickets; both decrypt. */
    synchronized void applyTo(List<SslContext> contexts) {
        for (SslContext c : contexts) {
            if (c.sessionContext() instanceof OpenSslSessionContext s) {
                if (previous == null) s.setTicketKeys(current);
                else s.setTicketKeys(current, previous);
            }
        }
    }

    private OpenSslSessionTicketKey next() {
        byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
        byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
        byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
        random.nextBytes(name);
        random.nextBytes(hmac);
        random.nextBytes(aes);
        return new OpenSslSessionTicketKey(name, hmac, aes);
    }
}
