package io.switchboard.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** Real HTTP/1.1 requests to a listener on loopback, counting which back end answered. */
final class HttpTestClient implements AutoCloseable {
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade attempt: the listener speaks HTTP/1.1
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    HttpResponse<String> get(InetSocketAddress to, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + to.getPort() + path);
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sends {@code n} GET / and counts answers by back-end name (the demo back ends' body); non-200s count as "status N". */
    Map<String, Integer> distribution(InetSocketAddress to, int n) throws IOException, InterruptedException {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = get(to, "/");
            String key = r.statusCode() == 200 ? r.body().strip() : "status " + r.statusCode();
            counts.merge(key, 1, Integer::sum);
        }
        return counts;
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
