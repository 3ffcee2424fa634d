package io.switchboard.proxy.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proxy.DebianPeer;
import io.switchboard.proxy.ProxyFixture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTP/2 end to end with real clients (curl, nghttp) through the proxy to HTTP/1.1 back ends. */
class Http2IT {
    private ProxyFixture f;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    /**
     * Graceful shutdown with an HTTP/2 stream in flight: the stream's answer arrives whole, the
     * connection is told GOAWAY and closed, and the shutdown counts it as finished in time.
     */
    @Test
    void gracefulShutdownLetsAnOpenStreamFinish() throws Exception {
        DebianPeer.require("curl", "curl");
        f = new ProxyFixture().backends("alpha").start();
        CompletableFuture<DebianPeer.Result> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return DebianPeer.run(List.of("curl", "-sS", "-i", "--http2-prior-knowledge", "--max-time", "10",
                        "http://127.0.0.1:" + f.port() + "/delay?ms=700"), 20);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> f.proxy.state().activeExchanges() > 0);
        assertThat(f.proxy.shutdownGracefully(Duration.ofSeconds(5))).isTrue();
        DebianPeer.Result r = slow.get(20, TimeUnit.SECONDS);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).startsWith("HTTP/2 200").contains("alpha");
    }

    @Test
    void curlPriorKnowledgeGetsTheBackEndsAnswerOverH2c() throws Exception {
        DebianPeer.require("curl", "curl");
        f = new ProxyFixture().backends("alpha").start();
        DebianPeer.Result r = DebianPeer.run(List.of("curl", "-sS", "-i", "--http2-prior-knowledge", "--max-time", "10",
                "http://127.0.0.1:" + f.port() + "/hello"), 20);
        assertThat(r.output()).startsWith("HTTP/2 200");
        assertThat(r.output()).contains("alpha");
    }
}
