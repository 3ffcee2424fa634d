package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** HTTP framing of the admin listener on an EmbeddedChannel. */
class AdminHandlerTest {
    private final List<CompletableFuture<ApiResponse>> pending = new ArrayList<>();
    private final List<ApiRequest> seen = new ArrayList<>();

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(1024), new AdminHandler(r -> {
            seen.add(r);
            CompletableFuture<ApiResponse> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }, Runnable::run));
    }

    private static String read(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOneAtATime() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                + "PATCH /b?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer t\r\n"
                + "Content-Length: 2\r\n\r\n{}", StandardCharsets.ISO_8859_1));
        assertThat(seen).hasSize(1); // the second waits until the first is answered
        assertThat(seen.get(0).path()).isEqualTo("/a");
        pending.get(0).complete(ApiResponse.text(200, "first"));
        ch.runPendingTasks();
        String first = read(ch);
        assertThat(first).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: 6").endsWith("first\n");
        assertThat(seen).hasSize(2);
        ApiRequest second = seen.get(1);
        assertThat(second.method()).isEqualTo("PATCH");
        assertThat(second.param("x")).isEqualTo("1");
        assertThat(second.authorization()).isEqualTo("Bearer t");
        assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
        assertThat(second.loopbackClient()).isFalse(); // an embedded channel has no socket address
        pending.get(1).complete(ApiResponse.text(202, "second").withHeader("X-Test", "yes"));
        ch.runPendingTasks();
        assertThat(read(ch)).startsWith("HTTP/1.1 202 Accepted\r\n").contains("X-Test: yes").endsWith("second\n");
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void connectionCloseIsHonoured() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", StandardCharsets.ISO_8859_1));
        pending.get(0).complete(ApiResponse.text(200, "bye"));
        ch.runPendingTasks();
        assertThat(read(ch)).contains("connection: close");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void tooLargeBodiesGet413WithoutReachingTheApi() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("POST /x HTTP/1.1\r\nContent-Length: 5000\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat(read(ch)).startsWith("HTTP/1.1 413");
        assertThat(seen).isEmpty();
        ch.finishAndReleaseAll();
    }

    @Test
    void garbageGets400() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nBad Header\r\n\r\n", StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
        assertThat(read(ch)).startsWith("HTTP/1.1 400");
        assertThat(seen).isEmpty();
        ch.finishAndReleaseAll();
    }
}
