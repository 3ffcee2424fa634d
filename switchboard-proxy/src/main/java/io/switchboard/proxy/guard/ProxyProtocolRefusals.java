package io.switchboard.proxy.guard;

import io.switchboard.config.ListenerConfig;
import io.switchboard.proxy.proxyprotocol.ProxyProtocolAcceptor;
import java.util.function.Consumer;

/**
 * The PROXY-protocol acceptor of a listener (HTTP or TCP), with what happens to a refused connection:
 * its reason counted, and a log line at most every few seconds per listener ({@link RejectionLog}).
 *
 * <p>Threading: stateless; the acceptor it makes is shared by the listener's connections.
 */
public final class ProxyProtocolRefusals {
    private ProxyProtocolRefusals() {}

    /**
     * @param count told the reason of every refusal ({@code untrusted}, {@code missing}, {@code malformed}, {@code timeout})
     * @return the acceptor; null when the listener takes no PROXY headers
     */
    public static ProxyProtocolAcceptor acceptor(ListenerConfig listener, Consumer<String> count) {
        if (listener.proxyProtocol() == null) return null;
        RejectionLog log = new RejectionLog(listener.name(), "closed connection (PROXY protocol) from");
        return new ProxyProtocolAcceptor(listener.proxyProtocol(), listener.headerTimeout(), (reason, peer, detail) -> {
            count.accept(reason);
            log.refused(peer, detail);
        });
    }
}
