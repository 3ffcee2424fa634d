package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.balance.Algorithms;
import io.switchboard.config.AllDownPolicy;
import io.switchboard.config.HealthCheckConfig;
import io.switchboard.config.ListenerConfig;
import io.switchboard.config.PassiveHealthConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.ProxyState;
import io.switchboard.proxy.Transport;
import io.switchboard.registry.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The front-end pipeline in an EmbeddedChannel: what the proxy answers by itself, byte for byte. */
class FrontendHandlerTest {
    private final List<AccessRecord> log = new ArrayList<>();
    private EmbeddedChannel ch;

    @BeforeEach
    void setUp() {
        PoolConfig pc = new PoolConfig("app", "round-robin", 1.25, 2, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 8, Duration.ZERO, AllDownPolicy.FAIL, HealthCheckConfig.NONE,
                PassiveHealthConfig.DEFAULT, 0, List.of());
        ListenerConfig l = new ListenerConfig("web", "127.0.0.1", 0, "app", Duration.ofSeconds(5), Duration.ofSeconds(60), 64, 256);
        SwitchboardConfig cfg = new SwitchboardConfig(null, List.of(l), Map.of("app", pc), 1, "nio", Duration.ofSeconds(1), "off");
        Pool empty = new Pool("app", Algorithms.byName("round-robin"), Pool.Settings.defaults());
        ProxyState state = new ProxyState(new ProxyState.Routing(cfg, Map.of("app", empty)), Transport.nio(), log::add);
        ch = new EmbeddedChannel();
        ch.config().setAutoRead(false);
        ch.pipeline().addLast(new HttpFrontendInitializer(state, l, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
        ch.pipeline().fireChannelActive();
    }

    @AfterEach
    void tearDown() {
        ch.finishAndReleaseAll();
    }

    private String exchange(String request) {
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        StringBuilder sb = new StringBuilder();
        ByteBuf out;
        while ((out = ch.readOutbound()) != null) {
            sb.append(out.toString(StandardCharsets.ISO_8859_1));
            out.release();
        }
        return sb.toString();
    }

    @Test
    void emptyPoolAnswers503AndKeepsTheConnection() {
        String resp = exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(resp).startsWith("HTTP/1.1 503 Service Unavailable\r\n").contains("retry-after: 1")
                .endsWith("503 Service Unavailable: no back end available in pool 'app'\n");
        assertThat(ch.isOpen()).isTrue();
        assertThat(log).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.backend()).isEqualTo("-");
            assertThat(r.cause()).contains("no back end available");
        });
    }

    @Test
    void aConnectionThatSendsNothingIsClosedQuietlyAtTheHeaderTimeoutNotTheIdleTimeout() {
        FrontendHandler h = ch.pipeline().get(FrontendHandler.class);
        h.checkDeadline(System.nanoTime() + Duration.ofSeconds(6).toNanos()); // header timeout 5 s, idle 60 s
        assertThat(ch.isOpen()).isFalse();
        assertThat((Object) ch.readOutbound()).isNull();
    }

    @Test
    void aPartialHeadGets408AtTheHeaderTimeoutCountedFromAccept() {
        assertThat(exchange("GET / HTTP/1.1\r\nHo")).isEmpty();
        FrontendHandler h = ch.pipeline().get(FrontendHandler.class);
        h.checkDeadline(System.nanoTime() + Duration.ofSeconds(4).toNanos());
        assertThat(ch.isOpen()).isTrue();
        h.checkDeadline(System.nanoTime() + Duration.ofSeconds(6).toNanos());
        StringBuilder sb = new StringBuilder();
        ByteBuf out;
        while ((out = ch.readOutbound()) != null) {
            sb.append(out.toString(StandardCharsets.ISO_8859_1));
            out.release();
        }
        assertThat(sb.toString()).startsWith("HTTP/1.1 408 Request Timeout\r\n");
        assertThat(log).singleElement().satisfies(r -> assertThat(r.cause()).contains("request head not received"));
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        String resp = exchange("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(resp.split("HTTP/1.1 503", -1)).hasSize(4);
        assertThat(log).extracting(AccessRecord::uri).containsExactly("/1", "/2", "/3");
    }

    @Test
    void anIdleConnectionKeepsNoQueueAfterSingleOrPipelinedRequests() {
        FrontendHandler h = ch.pipeline().get(FrontendHandler.class);
        assertThat(h.keepsQueue()).as("before the first request").isFalse();
        assertThat(exchange("GET /a HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 503");
        assertThat(h.keepsQueue()).as("after one request").isFalse();
        String two = exchange("GET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(two.split("HTTP/1.1 503", -1)).hasSize(3);
        assertThat(h.keepsQueue()).as("after two pipelined requests").isFalse();
        assertThat(log).hasSize(3);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void missingHostOnHttp11Is400AndCloses() {
        assertThat(exchange("GET / HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request").contains("missing Host header");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void tooLongRequestLineIs414() {
        assertThat(exchange("GET /" + "x".repeat(100) + " HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 414");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void tooLargeHeaderIs431() {
        assertThat(exchange("GET / HTTP/1.1\r\nHost: a\r\nX: " + "y".repeat(300) + "\r\n\r\n")).startsWith("HTTP/1.1 431");
    }

    @Test
    void unknownExpectationIs417() {
        assertThat(exchange("PUT / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx")).startsWith("HTTP/1.1 417");
    }

    @Test
    void garbageIs400() {
        assertThat(exchange("\u0001\u0002 nonsense\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(ch.isOpen()).isFalse();
    }
}
