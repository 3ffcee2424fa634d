package io.switchboard.proxy.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.switchboard.config.ProxyProtocolVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The header written to back ends, read back by Netty's decoder (what HAProxy and NGINX parse alike), and the signature check. */
class ProxyHeaderTest {
    private static final InetSocketAddress CLIENT4 = new InetSocketAddress("203.0.113.7", 40000);
    private static final InetSocketAddress LOCAL4 = new InetSocketAddress("192.0.2.1", 8080);
    private static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::5", 40001);

    private static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    private static HAProxyMessage decode(ByteBuf header) {
        EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder());
        ch.writeInbound(header);
        HAProxyMessage m = ch.readInbound();
        ch.finishAndReleaseAll();
        return m;
    }

    @Test
    void v1CarriesBothAddressesAndPorts() {
        assertThat(text(ProxyHeader.encode(UnpooledByteBufAllocator.DEFAULT, ProxyProtocolVersion.V1, CLIENT4, LOCAL4)))
                .isEqualTo("PROXY TCP4 203.0.113.7 192.0.2.1 40000 8080\r\n");
    }

    @Test
    void v1MixedFamiliesAreWrittenAsTcp6WithTheMappedAddress() {
        assertThat(text(ProxyHeader.encode(UnpooledByteBufAllocator.DEFAULT, ProxyProtocolVersion.V1, CLIENT4,
                new InetSocketAddress("::1", 80)))).isEqualTo("PROXY TCP6 ::ffff:203.0.113.7 ::1 40000 80\r\n");
    }

    @Test
    void v1WithoutAnIpClientIsUnknown() {
        assertThat(text(ProxyHeader.encode(UnpooledByteBufAllocator.DEFAULT, ProxyProtocolVersion.V1, null, LOCAL4)))
                .isEqualTo("PROXY UNKNOWN\r\n");
    }

    @Test
    void v2Ipv4IsExactlyTheSpecsBytes() {
        ByteBuf b = ProxyHeader.encode(UnpooledByteBufAllocator.DEFAULT, ProxyProtocolVersion.V2, CLIENT4, LOCAL4);
        try {
            assertThat(ByteBufUtil.hexDump(b)).isEqualTo("0d0a0d0a000d0a515549540a" + "21" + "11" + "000c"
                    + "cb007107" + "c0000201" + "9c40" + "1f90");
        } finally {
            b.release();
        }
    }

    @Test
    void v2Ipv6DecodesToTheSameAddresses() {
        HAProxyMessage m = decode(ProxyHeader.encode(UnpooledByteBufAllocator.DEFAULT, ProxyProtocolVersion.V2, CLIENT6,
                new InetSocketAddress("2001:db8::1", 443)));
        try {
            assertThat(m.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V2);
            assertThat(m.command()).isEqualTo(HAProxyCommand.PROXY);
            assertThat(m.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
            assertThat(ProxyProtocolAcceptor.sourceOf(m)).isEqualTo(CLIENT6);
            assertThat(m.destinationPort()).isEqualTo(443);
        } finally {
            m.release();
        }
    }

    @Test
    void v1DecodesToTheClient() {
        HAProxyMessage m = decode(ProxyHeader.encode(UnpooledByteBufAllocator.DEFAULT, ProxyProtocolVersion.V1, CLIENT4, LOCAL4));
        try {
            assertThat(ProxyProtocolAcceptor.sourceOf(m)).isEqualTo(CLIENT4);
        } finally {
            m.release();
        }
    }

    @Test
    void localAndUnknownHeadersKeepThePeersAddress() {
        HAProxyMessage unknown = decode(Unpooled.copiedBuffer("PROXY UNKNOWN\r\n", StandardCharsets.US_ASCII));
        HAProxyMessage local = decode(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("0d0a0d0a000d0a515549540a" + "20" + "00" + "0000")));
        try {
            assertThat(ProxyProtocolAcceptor.sourceOf(unknown)).isNull();
            assertThat(local.command()).isEqualTo(HAProxyCommand.LOCAL);
            assertThat(ProxyProtocolAcceptor.sourceOf(local)).isNull();
        } finally {
            unknown.release();
            local.release();
        }
    }

    @Test
    void signaturesAreRecognisedByteByByte() {
        assertThat(classify("PROX")).isEqualTo(ProxyProtocolAcceptor.Start.UNDECIDED);
        assertThat(classify("PROXY ")).isEqualTo(ProxyProtocolAcceptor.Start.HEADER);
        assertThat(classify("PROXY/1.1")).isEqualTo(ProxyProtocolAcceptor.Start.NOT_HEADER);
        assertThat(classify("GET / HTTP/1.1")).isEqualTo(ProxyProtocolAcceptor.Start.NOT_HEADER);
        assertThat(classify("P")).isEqualTo(ProxyProtocolAcceptor.Start.UNDECIDED);
        assertThat(classify("\r\n\r\n\0\r\nQUI")).isEqualTo(ProxyProtocolAcceptor.Start.UNDECIDED);
        assertThat(classify("\r\n\r\n\0\r\nQUIT\n")).isEqualTo(ProxyProtocolAcceptor.Start.HEADER);
        // An HTTP client may send an empty line before its request (RFC 9112 section 2.2): not a header.
        assertThat(classify("\r\nGET / HTTP/1.1")).isEqualTo(ProxyProtocolAcceptor.Start.NOT_HEADER);
        assertThat(classify("\u0016\u0003\u0001")).isEqualTo(ProxyProtocolAcceptor.Start.NOT_HEADER); // a TLS ClientHello
    }

    private static ProxyProtocolAcceptor.Start classify(String s) {
        ByteBuf b = Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
        try {
            return ProxyProtocolAcceptor.classify(b);
        } finally {
            b.release();
        }
    }
}
