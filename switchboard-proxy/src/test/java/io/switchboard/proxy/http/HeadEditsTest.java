package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Header and cookie lookups on {@link Head}, and {@link HeadEdits} applied by {@link HeadWriter}. */
class HeadEditsTest {
    private static final HeadParser.Limits LIMITS = Http1CodecTest.LIMITS;

    private static Head request(String text) {
        byte[] b = bytes(text);
        return HeadParser.parse(b, b.length, true, LIMITS);
    }

    private static Head response(String text) {
        byte[] b = bytes(text);
        return HeadParser.parse(b, b.length, false, LIMITS);
    }

    private static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void headersAreFoundByNameInAnyCaseAndCookiesByExactName() {
        Head h = request("GET / HTTP/1.1\r\nHost: a\r\nX-Tier:  gold \r\nCookie: a=1; SRV=abc.def ;b=\"q\"\r\n"
                + "cookie: srv=lower; SRV=second\r\n\r\n");
        assertThat(h.header("x-tier")).isEqualTo("gold");
        assertThat(h.header("X-TIER")).isEqualTo("gold");
        assertThat(h.header("X-Missing")).isNull();
        assertThat(h.cookie("SRV")).isEqualTo("abc.def");
        assertThat(h.cookie("srv")).isEqualTo("lower");
        assertThat(h.cookie("b")).isEqualTo("\"q\"");
        assertThat(h.cookie("a")).isEqualTo("1");
        assertThat(h.cookie("S")).isNull();
        assertThat(request("GET / HTTP/1.1\r\nHost: a\r\nCookie: novalue; x=\r\n\r\n").cookie("novalue")).isNull();
        assertThat(request("GET / HTTP/1.1\r\nHost: a\r\nCookie: novalue; x=\r\n\r\n").cookie("x")).isEmpty();
    }

    @Test
    void requestEditsRemoveSetAddAndRewriteTheTarget() {
        Head h = request("GET /api/v1/users?id=3 HTTP/1.1\r\nHost: shop\r\nX-Debug: 1\r\nCookie: SRV=x; a=b\r\nx-debug: 2\r\n\r\n");
        HeadEdits e = new HeadEdits().remove("X-DEBUG").set("Cookie", "a=b").add("X-Route", "api").target("/v1/users?id=3");
        assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, h, bytes("192.0.2.7"), bytes("http"), false, new byte[0], e)))
                .isEqualTo("GET /v1/users?id=3 HTTP/1.1\r\nHost: shop\r\nCookie: a=b\r\nX-Route: api\r\n"
                        + "X-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: shop\r\nVia: 1.1 switchboard\r\n\r\n");
    }

    @Test
    void aHostEditReplacesTheHostTheProxyWouldWrite() {
        Head h = request("GET http://origin.example/x HTTP/1.1\r\nHost: ignored\r\n\r\n");
        HeadEdits e = new HeadEdits().set("Host", "internal");
        assertThat(text(HeadWriter.request(ByteBufAllocator.DEFAULT, h, bytes("192.0.2.7"), bytes("http"), false, new byte[0], e)))
                .isEqualTo("GET /x HTTP/1.1\r\nHost: internal\r\nX-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\n"
                        + "X-Forwarded-Host: origin.example\r\nVia: 1.1 switchboard\r\n\r\n");
    }

    @Test
    void responseEditsAddASetCookieAndRemoveAField() {
        Head h = response("HTTP/1.1 200 OK\r\nServer: app\r\nContent-Length: 0\r\n\r\n");
        HeadEdits e = new HeadEdits().remove("server").add("Set-Cookie", "SRV=x; Path=/; HttpOnly");
        assertThat(text(HeadWriter.response(ByteBufAllocator.DEFAULT, h, false, false, false, HeadWriter.Connection.NOTHING, 0, e)))
                .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nSet-Cookie: SRV=x; Path=/; HttpOnly\r\nVia: 1.1 switchboard\r\n\r\n");
    }

    @Test
    void framingProxyFieldsAndInjectionAreRefused() {
        assertThatThrownBy(() -> new HeadEdits().remove("Content-Length")).hasMessageContaining("cannot be edited");
        assertThatThrownBy(() -> new HeadEdits().set("transfer-encoding", "chunked")).hasMessageContaining("cannot be edited");
        assertThatThrownBy(() -> new HeadEdits().add("X-Forwarded-For", "1.2.3.4")).hasMessageContaining("cannot be edited");
        assertThatThrownBy(() -> new HeadEdits().add("X-A", "b\r\nX-Injected: 1")).hasMessageContaining("CR, LF");
        assertThatThrownBy(() -> new HeadEdits().add("X A", "b")).hasMessageContaining("not a valid header name");
        assertThatThrownBy(() -> new HeadEdits().target("/a b")).hasMessageContaining("spaces");
        assertThatThrownBy(() -> new HeadEdits().target("x")).hasMessageContaining("start with '/'");
    }
}
