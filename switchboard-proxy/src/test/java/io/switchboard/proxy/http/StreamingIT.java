package io.switchboard.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proxy.ProxyFixture;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * 100 MB each way through the proxy while this whole JVM (client, proxy and back end) runs with
 * -Xmx128m (see the module's surefire argLine): bodies stream with back-pressure, never buffered.
 */
class StreamingIT {
    private static final long SIZE = 100L * 1024 * 1024;

    @Test
    void hundredMegabyteDownloadStreams() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha").start()) {
            HttpResponse<InputStream> r = f.client().send(HttpRequest.newBuilder(f.uri("/bytes?n=" + SIZE))
                    .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            long total = 0;
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = r.body()) {
                int n;
                while ((n = in.read(buf)) > 0) total += n;
            }
            assertThat(total).isEqualTo(SIZE);
        }
    }

    @Test
    void hundredMegabyteUploadStreams() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha").start()) {
            HttpRequest req = HttpRequest.newBuilder(f.uri("/upload")).timeout(Duration.ofSeconds(120))
                    .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(SIZE)), SIZE))
                    .build();
            HttpResponse<String> r = f.client().send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body().trim()).isEqualTo(Long.toString(SIZE));
        }
    }

    @Test
    void chunkedUploadOfUnknownLengthStreams() throws Exception {
        try (ProxyFixture f = new ProxyFixture().backends("alpha").start()) {
            long size = 20L * 1024 * 1024;
            HttpRequest req = HttpRequest.newBuilder(f.uri("/upload")).timeout(Duration.ofSeconds(120))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(size))).build();
            HttpResponse<String> r = f.client().send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body().trim()).isEqualTo(Long.toString(size));
        }
    }

    /** Generates n zero bytes without holding them. */
    static final class ZeroStream extends InputStream {
        private long remaining;

        ZeroStream(long n) {
            this.remaining = n;
        }

        @Override
        public int read() {
            if (remaining <= 0) return -1;
            remaining--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) return -1;
            int n = (int) Math.min(len, remaining);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            remaining -= n;
            return n;
        }
    }
}
