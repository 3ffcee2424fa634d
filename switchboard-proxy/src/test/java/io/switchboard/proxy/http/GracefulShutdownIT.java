package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.proxy.ProxyFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GracefulShutdownIT {

    @Test
    void inFlightRequestFinishesAndNewConnectionsAreRefused() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.start();
            int port = f.port();
            CompletableFuture<HttpResponse<String>> slow = f.client().sendAsync(
                    HttpRequest.newBuilder(f.uri("/delay?ms=500")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (f.proxy.state().activeExchanges() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(f.proxy.shutdownGracefully(Duration.ofSeconds(5))).isTrue();
            HttpResponse<String> r = slow.get();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("connection")).hasValue("close");
            assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port).close()).isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void graceOverClosesWhatIsLeft() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha")) {
            f.start();
            CompletableFuture<HttpResponse<String>> slow = f.client().sendAsync(
                    HttpRequest.newBuilder(f.uri("/delay?ms=5000")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (f.proxy.state().activeExchanges() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(f.proxy.shutdownGracefully(Duration.ofMillis(200))).isFalse();
            assertThat(slow).failsWithin(Duration.ofSeconds(10));
        }
    }
}
