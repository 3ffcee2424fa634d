package io.switchboard.proxy.h2;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.buffer.PooledByteBufAllocator;
import io.switchboard.config.Http2Config;
import io.switchboard.config.ServerConfig;
import io.switchboard.config.TlsConfig;
import io.switchboard.proxy.AccessRecord;
import io.switchboard.proxy.DebianPeer;
import io.switchboard.proxy.ProxyFixture;
import io.switchboard.proxy.tls.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 with real clients (curl, nghttp, h2load, the JDK's HttpClient) through the proxy to an
 * HTTP/1.1 back end ({@code com.sun.net.httpserver}) that records request heads, answers the SHA-256
 * of a request body ({@code /sha}) and produces seeded pseudo-random bytes ({@code /bytes?n=N}).
 * Over TLS (ALPN h2, a certificate for {@code localhost} from a test CA) and h2c (prior knowledge).
 */
class Http2ClientsIT {
    private static final long SEED = 13;

    @TempDir
    Path dir;
    private TestCertificates certs;
    private HttpServer backend;
    private ExecutorService backendThreads;
    private final BlockingQueue<Headers> seen = new LinkedBlockingQueue<>();
    private ProxyFixture f;

    @BeforeEach
    void setUp() throws Exception {
        certs = new TestCertificates(dir).ec("localhost", "localhost");
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        backendThreads = Executors.newFixedThreadPool(16);
        backend.setExecutor(backendThreads);
        backend.createContext("/", this::serve);
        backend.start();
    }

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
        backend.stop(0);
        backendThreads.shutdownNow();
    }

    private void serve(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            if (path.equals("/sha")) {
                MessageDigest sha = sha256();
                try (InputStream in = x.getRequestBody()) {
                    byte[] buf = new byte[16384];
                    for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
                }
                answer(x, HexFormat.of().formatHex(sha.digest()));
            } else if (path.equals("/bytes")) {
                long n = Long.parseLong(x.getRequestURI().getQuery().substring("n=".length()));
                x.sendResponseHeaders(200, n);
                try (OutputStream out = x.getResponseBody()) {
                    Random r = new Random(SEED);
                    byte[] buf = new byte[16384];
                    for (long left = n; left > 0; ) {
                        r.nextBytes(buf);
                        int k = (int) Math.min(buf.length, left);
                        out.write(buf, 0, k);
                        left -= k;
                    }
                }
            } else {
                x.getRequestBody().readAllBytes();
                seen.add(x.getRequestHeaders());
                answer(x, "hello " + path);
            }
        }
    }

    private static void answer(HttpExchange x, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, body.length);
        x.getResponseBody().write(body);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SHA-256 of what {@code /bytes?n=N} sends. */
    private static String expectedSha(long n) {
        MessageDigest sha = sha256();
        Random r = new Random(SEED);
        byte[] buf = new byte[16384];
        for (long left = n; left > 0; ) {
            r.nextBytes(buf);
            int k = (int) Math.min(buf.length, left);
            sha.update(buf, 0, k);
            left -= k;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private ProxyFixture start(boolean tls, Http2Config http2) throws Exception {
        f = new ProxyFixture();
        if (tls) f.tls = new TlsConfig(List.of(new TlsConfig.Certificate(certs.cert("localhost"), certs.key("localhost"), List.of())),
                null, null, null, true);
        f.http2 = http2;
        f.start(List.of(new ServerConfig("sun", "127.0.0.1", backend.getAddress().getPort(), 1, null)));
        return f;
    }

    private String https(String path) {
        return "https://localhost:" + f.port() + path;
    }

    private List<String> curlTls(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "20", "--cacert", certs.ca().toString(),
                "--resolve", "localhost:" + f.port() + ":127.0.0.1"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    // ---------------------------------------------------------------- curl

    @Test
    void curlNegotiatesH2ByAlpnOverTls() throws Exception {
        DebianPeer.require("curl", "curl");
        start(true, Http2Config.DEFAULT);
        DebianPeer.Result r = DebianPeer.run(curlTls("--http2", https("/alpn")), 30);
        assertThat(r.output()).startsWith("HTTP/2 200");
        assertThat(r.output()).contains("hello /alpn");
    }

    @Test
    void curlGetsHttp11WhenTheListenerHasHttp2Disabled() throws Exception {
        DebianPeer.require("curl", "curl");
        start(true, Http2Config.DISABLED);
        DebianPeer.Result r = DebianPeer.run(curlTls("--http2", "-v", https("/alpn")), 30);
        assertThat(r.output()).contains("ALPN: server accepted http/1.1");
        assertThat(r.output()).contains("HTTP/1.1 200").doesNotContain("HTTP/2 200");
        assertThat(r.output()).contains("hello /alpn");
    }

    @Test
    void h2cPrefaceIsABadRequestWhenHttp2IsDisabled() throws Exception {
        start(false, Http2Config.DISABLED);
        String answer = f.raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Duration.ofSeconds(10));
        assertThat(answer).startsWith("HTTP/1.1 400");
    }

    @Test
    void forwardedProtoIsHttpForH2cAndTheAccessLogSaysHttp2() throws Exception {
        DebianPeer.require("curl", "curl");
        start(false, Http2Config.DEFAULT);
        DebianPeer.Result r = DebianPeer.run(List.of("curl", "-sS", "-i", "--http2-prior-knowledge", "--max-time", "20",
                "http://127.0.0.1:" + f.port() + "/h2c"), 30);
        assertThat(r.output()).startsWith("HTTP/2 200");
        Headers h = seen.poll(10, TimeUnit.SECONDS);
        assertThat(h).isNotNull();
        assertThat(h.get("X-Forwarded-Proto")).containsExactly("http");
        AccessRecord a = lastRecord();
        assertThat(a.uri()).isEqualTo("/h2c");
        assertThat(a.protocol()).isEqualTo("HTTP/2.0");
        assertThat(a.status()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- nghttp, h2load

    @Test
    void nghttpFetchesSeveralUrlsConcurrentlyOnOneConnection() throws Exception {
        DebianPeer.require("nghttp", "nghttp2-client");
        start(false, Http2Config.DEFAULT);
        List<String> cmd = new ArrayList<>(List.of("nghttp", "-v", "-n", "-t", "20"));
        for (int i = 0; i < 8; i++) cmd.add("http://127.0.0.1:" + f.port() + "/n" + i);
        DebianPeer.Result r = DebianPeer.run(cmd, 40);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(count(r.output(), "Connected")).as(r.output()).isEqualTo(1);
        assertThat(count(r.output(), ":status: 200")).as(r.output()).isEqualTo(8);
        // every request went out before the first answer came: concurrent streams
        String beforeFirstAnswer = r.output().substring(0, r.output().indexOf(":status: 200"));
        assertThat(count(beforeFirstAnswer, "send HEADERS frame")).as(r.output()).isEqualTo(8);
    }

    @Test
    void h2loadBoundedLoadOverTlsHasNoFailures() throws Exception {
        DebianPeer.require("h2load", "nghttp2-client");
        start(true, Http2Config.DEFAULT);
        DebianPeer.Result r = DebianPeer.run(List.of("h2load", "-n", "2000", "-c", "4", "-m", "10", "-t", "1",
                "https://127.0.0.1:" + f.port() + "/load"), 120);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).as(r.output()).contains("Application protocol: h2");
        assertThat(r.output()).as(r.output()).contains("2000 done, 2000 succeeded, 0 failed, 0 errored");
        assertThat(r.output()).as(r.output()).contains("status codes: 2000 2xx");
    }

    // ---------------------------------------------------------------- the JDK's client

    private HttpClient jdkClient() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certs.ca())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ctx)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void jdkClientSpeaksH2OverTlsWithForwardedProtoHttps() throws Exception {
        start(true, Http2Config.DEFAULT);
        try (HttpClient c = jdkClient()) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(https("/jdk"))).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello /jdk\n");
        }
        Headers h = seen.poll(10, TimeUnit.SECONDS);
        assertThat(h).isNotNull();
        assertThat(h.get("X-Forwarded-Proto")).containsExactly("https");
        AccessRecord a = lastRecord();
        assertThat(a.protocol()).isEqualTo("HTTP/2.0");
    }

    @Test
    void fiveMegabytesUpAndDownArriveIntact() throws Exception {
        start(true, Http2Config.DEFAULT);
        int n = 5 * 1024 * 1024;
        byte[] body = new byte[n];
        new Random(7).nextBytes(body);
        try (HttpClient c = jdkClient()) {
            HttpResponse<String> up = c.send(HttpRequest.newBuilder(URI.create(https("/sha"))).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(up.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.body().trim()).isEqualTo(HexFormat.of().formatHex(sha256().digest(body)));

            HttpResponse<InputStream> down = c.send(HttpRequest.newBuilder(URI.create(https("/bytes?n=" + n)))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(down.version()).isEqualTo(HttpClient.Version.HTTP_2);
            MessageDigest sha = sha256();
            long total = 0;
            try (InputStream in = down.body()) {
                byte[] buf = new byte[65536];
                for (int k; (k = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, k);
                    total += k;
                }
            }
            assertThat(total).isEqualTo(n);
            assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(expectedSha(n));
        }
    }

    /**
     * A client that reads 50 MB at about 8 MB/s: the proxy sends only what the stream's window allows
     * and stops reading the back end meanwhile, so what it holds stays near a window, not the body.
     */
    @Test
    void slowReaderOf50MegabytesGetsThemAllWhileTheProxyHoldsLittle() throws Exception {
        start(true, Http2Config.DEFAULT);
        long n = 50L * 1024 * 1024;
        PooledByteBufAllocator pool = PooledByteBufAllocator.DEFAULT;
        long before = pool.metric().usedDirectMemory();
        AtomicLong most = new AtomicLong();
        SlowSubscriber reader = new SlowSubscriber(8L * 1024 * 1024, () -> {
            long used = pool.metric().usedDirectMemory() - before;
            most.accumulateAndGet(used, Math::max);
        });
        try (HttpClient c = jdkClient()) {
            HttpResponse<String> r = c.sendAsync(HttpRequest.newBuilder(URI.create(https("/bytes?n=" + n))).build(),
                    info -> reader).get(120, TimeUnit.SECONDS);
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(reader.total).isEqualTo(n);
            assertThat(r.body()).isEqualTo(expectedSha(n));
        }
        // Buffering the body would hold tens of MB; a window (64 kB) plus socket-sized buffers is far less.
        assertThat(most.get()).as("direct memory the proxy held beyond its start").isLessThan(16L * 1024 * 1024);
        assertThat(lastRecord().bytesOut()).isGreaterThanOrEqualTo(n);
    }

    /** Consumes a body at a bounded rate, one item at a time, hashing it; calls {@code sample} on each item. */
    private static final class SlowSubscriber implements HttpResponse.BodySubscriber<String> {
        private final long bytesPerSecond;
        private final Runnable sample;
        private final MessageDigest sha = sha256();
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private Flow.Subscription subscription;
        volatile long total;
        private long slept;

        SlowSubscriber(long bytesPerSecond, Runnable sample) {
            this.bytesPerSecond = bytesPerSecond;
            this.sample = sample;
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                total += b.remaining();
                sha.update(b);
            }
            sample.run();
            long due = total * 1000 / bytesPerSecond; // ms since the start at the target rate
            if (due > slept) {
                try {
                    Thread.sleep(due - slept);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    subscription.cancel();
                    result.completeExceptionally(e);
                    return;
                }
                slept = due;
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(HexFormat.of().formatHex(sha.digest()));
        }
    }

    // ---------------------------------------------------------------- helpers

    private AccessRecord lastRecord() throws InterruptedException {
        for (int i = 0; i < 100 && f.accessLog.isEmpty(); i++) Thread.sleep(50);
        assertThat(f.accessLog).isNotEmpty();
        return f.accessLog.get(f.accessLog.size() - 1);
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
