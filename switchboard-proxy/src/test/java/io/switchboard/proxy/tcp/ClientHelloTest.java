package io.switchboard.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.TcpValidateConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** {@link ClientHello} on ClientHellos the JDK's own TLS client writes, whole, cut, split and damaged. */
class ClientHelloTest {
    /** The first flight of a JDK TLS client (TLS 1.3 and 1.2 offered) with this SNI; null: none. */
    static byte[] jdkHello(String sni) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        SSLEngine e = ctx.createSSLEngine("peer", 443);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        e.setSSLParameters(p);
        ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
        e.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    private static ClientHello parse(byte[] b) throws ClientHello.Malformed {
        return ClientHello.parse(b, b.length);
    }

    @Test
    void readsTheServerNameOfARealClientHello() throws Exception {
        byte[] b = jdkHello("A.Example.com");
        ClientHello h = parse(b);
        assertThat(h.serverName()).isEqualTo("a.example.com");
        assertThat(h.tls13()).isTrue();
        assertThat(h.length()).isEqualTo(b.length);
        assertThat(parse(jdkHello(null)).serverName()).isNull();
    }

    @Test
    void everyPrefixAsksForMore() throws Exception {
        byte[] b = jdkHello("a.example.com");
        for (int n = 0; n < b.length; n++) assertThat(ClientHello.parse(b, n)).as("prefix %d", n).isNull();
    }

    @Test
    void aClientHelloSplitOverTwoRecordsIsReadWhole() throws Exception {
        byte[] b = jdkHello("split.example.com");
        int body = b.length - 5;
        int first = 20;
        byte[] two = new byte[b.length + 5];
        System.arraycopy(b, 0, two, 0, 5 + first);
        two[3] = 0;
        two[4] = (byte) first;
        two[5 + first] = 22;
        two[6 + first] = 3;
        two[7 + first] = 1;
        two[8 + first] = (byte) ((body - first) >> 8);
        two[9 + first] = (byte) (body - first);
        System.arraycopy(b, 5 + first, two, 10 + first, body - first);
        assertThat(parse(two).serverName()).isEqualTo("split.example.com");
    }

    @Test
    void notTlsAtAll() {
        byte[] b = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> parse(b)).isInstanceOf(ClientHello.Malformed.class)
                .hasMessageContaining("not a TLS handshake record")
                .matches(e -> !((ClientHello.Malformed) e).tls());
    }

    @Test
    void inconsistentLengthsAreRefused() throws Exception {
        byte[] good = jdkHello("a.example.com");
        // The handshake length one short of the record: bytes left after the ClientHello.
        byte[] b = good.clone();
        b[8]--;
        assertThatThrownBy(() -> parse(b)).isInstanceOf(ClientHello.Malformed.class);
        // A record longer than TLS allows.
        byte[] c = good.clone();
        c[3] = (byte) 0x40;
        c[4] = 1;
        assertThatThrownBy(() -> parse(c)).hasMessageContaining("record length 16385");
        // Not a ClientHello (a ServerHello's type).
        byte[] d = good.clone();
        d[5] = 2;
        assertThatThrownBy(() -> parse(d)).hasMessageContaining("expected 1 (ClientHello)");
        // The extensions' total length off by one.
        byte[] e = good.clone();
        int sid = e[5 + 4 + 2 + 32] & 0xff;
        int p = 5 + 4 + 2 + 32 + 1 + sid;
        p += 2 + ((e[p] & 0xff) << 8 | e[p + 1] & 0xff);
        p += 1 + (e[p] & 0xff);
        e[p + 1]++;
        assertThatThrownBy(() -> parse(e)).hasMessageContaining("extensions length");
        // A handshake record followed by application data before the ClientHello ended.
        byte[] f = Arrays.copyOf(good, 5 + 10);
        f[3] = 0;
        f[4] = 10;
        byte[] g = Arrays.copyOf(f, f.length + 6);
        g[15] = 23;
        g[16] = 3;
        g[17] = 3;
        g[19] = 1;
        assertThatThrownBy(() -> parse(g)).hasMessageContaining("content type 23");
    }

    @Test
    void sniRoutesPreferExactNamesThenTheLongestWildcard() {
        SniRoutes r = new SniRoutes(List.of(
                new TcpValidateConfig.SniRoute(List.of("*.example.com"), "wild"),
                new TcpValidateConfig.SniRoute(List.of("a.example.com", "*.b.example.com"), "exact")), "default");
        assertThat(r.pool("a.example.com")).isEqualTo("exact");
        assertThat(r.pool("c.example.com")).isEqualTo("wild");
        assertThat(r.pool("x.b.example.com")).isEqualTo("exact");
        assertThat(r.pool("x.y.example.com")).isEqualTo("wild");
        assertThat(r.pool("example.com")).isEqualTo("default");
        assertThat(r.pool("other.org")).isEqualTo("default");
        assertThat(r.pool(null)).isEqualTo("default");
    }

    /** A ServerHello record with this session ID and, when {@code tls13}, supported_versions (43) = 0x0304. */
    private static byte[] serverHello(byte[] sid, boolean tls13) {
        ByteBuffer body = ByteBuffer.allocate(200);
        body.putShort((short) 0x0303).put(new byte[32]).put((byte) sid.length).put(sid).putShort((short) 0x1301).put((byte) 0);
        if (tls13) body.putShort((short) 6).putShort((short) 43).putShort((short) 2).putShort((short) 0x0304);
        int n = body.position();
        ByteBuffer r = ByteBuffer.allocate(9 + n);
        r.put((byte) 22).putShort((short) 0x0303).putShort((short) (4 + n)).put((byte) 2).put((byte) 0).putShort((short) n);
        r.put(body.array(), 0, n);
        return r.array();
    }

    @Test
    void aTls12ServerHellosSessionIdIsLearnedATls13OneIsNot() {
        byte[] sid = new byte[32];
        Arrays.fill(sid, (byte) 7);
        byte[] tls12 = serverHello(sid, false);
        assertThat(ServerHelloWatch.tls12SessionId(tls12, tls12.length)).containsExactly(sid);
        assertThat(ServerHelloWatch.tls12SessionId(tls12, tls12.length - 1)).isNull();
        byte[] tls13 = serverHello(sid, true);
        assertThat(ServerHelloWatch.tls12SessionId(tls13, tls13.length)).isEmpty();
        TlsSessionIds ids = new TlsSessionIds();
        ids.learn("p", sid, "a", 0);
        assertThat(ids.server("p", sid, 1)).isEqualTo("a");
        assertThat(ids.server("q", sid, 1)).isNull();
        assertThat(ids.server("p", sid, TlsSessionIds.TTL + 1)).isNull();
    }
}
