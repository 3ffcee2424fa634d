package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class ForwardingHeadersTest {

    @Test
    void requestGetsForwardedForProtoHostAndVia() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set("Host", "shop.example");
        ForwardingHeaders.forRequest(h, "192.0.2.7", "http");
        assertThat(h.get("X-Forwarded-For")).isEqualTo("192.0.2.7");
        assertThat(h.get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(h.get("X-Forwarded-Host")).isEqualTo("shop.example");
        assertThat(h.get("Via")).isEqualTo("1.1 switchboard");
    }

    @Test
    void forwardedForIsAppendedAndViaChained() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set("X-Forwarded-For", "203.0.113.1");
        h.set("Via", "1.1 cdn");
        ForwardingHeaders.forRequest(h, "192.0.2.7", "http");
        assertThat(h.get("X-Forwarded-For")).isEqualTo("203.0.113.1, 192.0.2.7");
        assertThat(h.get("Via")).isEqualTo("1.1 cdn, 1.1 switchboard");
    }

    @Test
    void hopByHopAndConnectionNamedFieldsAreRemovedButFramingStays() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Connection", "keep-alive, X-Private, Transfer-Encoding");
        h.set("X-Private", "secret");
        h.set("Keep-Alive", "timeout=5");
        h.set("Proxy-Connection", "keep-alive");
        h.set("TE", "trailers");
        h.set("Upgrade", "h2c");
        h.set("Transfer-Encoding", "chunked");
        ForwardingHeaders.stripHopByHop(h);
        assertThat(h.names()).containsExactly("Transfer-Encoding");
    }
}
