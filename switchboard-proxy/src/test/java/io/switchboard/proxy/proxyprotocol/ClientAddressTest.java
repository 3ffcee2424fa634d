package io.switchboard.proxy.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The carried address wins over the peer's, and an HTTP/2 stream's channel answers for its connection. */
class ClientAddressTest {
    private static final InetSocketAddress CARRIED = new InetSocketAddress("203.0.113.7", 40000);

    @Test
    void withoutAHeaderItIsThePeer() {
        EmbeddedChannel ch = new EmbeddedChannel();
        assertThat(ClientAddress.of(ch)).isEqualTo(ch.remoteAddress());
        assertThat(ClientAddress.carried(ch)).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void askingLeavesNoAttributeOnAConnectionWithoutAHeader() {
        // An attribute is an object kept as long as the connection: an idle one must not get it by being asked.
        EmbeddedChannel connection = new EmbeddedChannel();
        EmbeddedChannel stream = new EmbeddedChannel(connection, DefaultChannelId.newInstance(), true, false);
        assertThat(ClientAddress.of(stream)).isEqualTo(stream.remoteAddress());
        assertThat(ClientAddress.carried(connection)).isNull();
        assertThat(stream.hasAttr(AttributeKey.valueOf("switchboard.proxy-protocol.source"))).isFalse();
        assertThat(connection.hasAttr(AttributeKey.valueOf("switchboard.proxy-protocol.source"))).isFalse();
        stream.finishAndReleaseAll();
        connection.finishAndReleaseAll();
    }

    @Test
    void theCarriedAddressWinsOnTheConnectionAndOnItsStreams() {
        EmbeddedChannel connection = new EmbeddedChannel();
        ClientAddress.set(connection, CARRIED);
        EmbeddedChannel stream = new EmbeddedChannel(connection, DefaultChannelId.newInstance(), true, false);
        assertThat(ClientAddress.of(connection)).isEqualTo(CARRIED);
        assertThat(ClientAddress.of(stream)).isEqualTo(CARRIED);
        stream.finishAndReleaseAll();
        connection.finishAndReleaseAll();
    }
}
