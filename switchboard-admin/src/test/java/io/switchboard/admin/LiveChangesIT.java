package io.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proxy.demo.DemoBackend;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Every kind of live change — add, re-weight, drain, enable, drain-and-remove, re-add, maint — made
 * through the admin API while 32 keep-alive client connections send requests through the real
 * proxy: not one request may fail.
 */
class LiveChangesIT {
    private static final int CLIENTS = 32;
    /** Each client stops after this many requests at most, or at {@link #TIME_LIMIT}, whichever comes first. */
    private static final int MAX_PER_CLIENT = 4000;
    /** Requests each client still sends after the last change. */
    private static final int AFTER_CHANGES = 25;
    private static final Duration TIME_LIMIT = Duration.ofSeconds(60);

    @Test
    void addDrainRemoveAndReweightUnderLoadFailNoRequest() throws Exception {
        try (AdminFixture f = new AdminFixture().start()) {
            AtomicBoolean changesDone = new AtomicBoolean();
            AtomicLong ok = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                running.add(clients.submit(() -> load(f.proxyPort(), client, changesDone, deadline, ok, failures)));
            }
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() >= CLIENTS * 10L);
                String t = AdminFixture.TOKEN;

                DemoBackend delta = f.newBackend("delta");
                DemoBackend echo = f.newBackend("echo");
                expect(f.call("POST", "/api/v1/pools/demo/backends",
                        "{\"name\":\"delta\",\"address\":\"127.0.0.1:" + delta.port() + "\"}", t), 201);
                expect(f.call("POST", "/api/v1/pools/demo/backends",
                        "{\"name\":\"echo\",\"address\":\"127.0.0.1:" + echo.port() + "\",\"weight\":3}", t), 201);
                await().atMost(Duration.ofSeconds(20)).until(() -> delta.requestCount() > 50 && echo.requestCount() > 50);

                expect(f.call("PATCH", "/api/v1/pools/demo/backends/alpha", "{\"weight\":5}", t), 200);
                expect(f.call("PATCH", "/api/v1/pools/demo/backends/bravo", "{\"weight\":0}", t), 200);
                awaitMoreRequests(f, "alpha");
                expect(f.call("PATCH", "/api/v1/pools/demo/backends/bravo", "{\"weight\":2}", t), 200);
                expect(f.call("PATCH", "/api/v1/pools/demo/backends/charlie", "{\"state\":\"drain\"}", t), 200);
                awaitMoreRequests(f, "bravo");
                expect(f.call("PATCH", "/api/v1/pools/demo/backends/charlie", "{\"state\":\"ready\"}", t), 200);

                HttpResponse<String> removed = f.call("DELETE", "/api/v1/pools/demo/backends/alpha?deadline=20s", null, t);
                expect(removed, 200);
                assertThat(removed.body()).contains("\"removed\":true");
                expect(f.call("DELETE", "/api/v1/pools/demo/backends/delta?deadline=20s", null, t), 200);
                awaitMoreRequests(f, "charlie");
                expect(f.call("POST", "/api/v1/pools/demo/backends",
                        "{\"name\":\"alpha\",\"address\":\"127.0.0.1:" + f.backend("alpha").port() + "\"}", t), 201);
                expect(f.call("PATCH", "/api/v1/pools/demo/backends/echo", "{\"state\":\"maint\"}", t), 200);
                awaitMoreRequests(f, "alpha");
                expect(f.call("DELETE", "/api/v1/pools/demo/backends/echo?deadline=20s", null, t), 200);
            } finally {
                changesDone.set(true);
                for (Future<?> r : running) r.get(TIME_LIMIT.toSeconds() + 10, TimeUnit.SECONDS);
                clients.shutdownNow();
            }
            System.out.printf("LiveChangesIT: %d requests over %d connections, %d failed%n", ok.get() + failures.size(), CLIENTS,
                    failures.size());
            assertThat(failures).as("failed requests").isEmpty();
            assertThat(ok.get()).isGreaterThanOrEqualTo(CLIENTS * (10L + AFTER_CHANGES));
            assertThat(f.pool.snapshot().backends().members()).extracting(m -> m.backend().name())
                    .containsExactlyInAnyOrder("bravo", "charlie", "alpha");
        }
    }

    private static void expect(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.request().method() + " " + r.request().uri() + ": " + r.body()).isEqualTo(status);
    }

    /** Lets some traffic flow between two changes: the back end's count grows by a few requests. */
    private static void awaitMoreRequests(AdminFixture f, String backend) {
        long before = f.backend(backend).requestCount();
        await().atMost(Duration.ofSeconds(20)).until(() -> f.backend(backend).requestCount() > before + 20);
    }

    /** One keep-alive connection sending GETs one after another; every answer must be a 200 from a demo back end. */
    private static void load(int port, int client, AtomicBoolean changesDone, long deadline, AtomicLong ok,
                             ConcurrentLinkedQueue<String> failures) {
        Socket s = null;
        InputStream in = null;
        int sent = 0;
        int afterChanges = 0;
        try {
            while (sent < MAX_PER_CLIENT && System.nanoTime() < deadline && afterChanges < AFTER_CHANGES) {
                if (changesDone.get()) afterChanges++;
                if (s == null) {
                    s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    s.setSoTimeout(20_000);
                    s.setTcpNoDelay(true);
                    in = new BufferedInputStream(s.getInputStream()); // no pipelining: never reads past one response
                }
                sent++;
                String path = "/delay?ms=2&client=" + client + "&n=" + sent;
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Answer a = read(in);
                    if (a.status != 200 || !a.body.matches("(alpha|bravo|charlie|delta|echo)\n")) {
                        failures.add(path + ": " + a.status + " " + a.body.strip());
                    } else {
                        ok.incrementAndGet();
                    }
                    if (a.close) {
                        s.close();
                        s = null;
                    }
                } catch (IOException e) {
                    failures.add(path + ": " + e);
                    s.close();
                    s = null;
                }
            }
        } catch (IOException e) {
            failures.add("client " + client + ": " + e);
        } finally {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing a test socket
                }
            }
        }
    }

    private record Answer(int status, String body, boolean close) {}

    /** One HTTP/1.1 response with Content-Length or chunked framing. */
    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("bad status line '" + statusLine + "'");
        int status = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        String h;
        while (!(h = line(in)).isEmpty()) {
            int colon = h.indexOf(':');
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            while (true) {
                int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!line(in).isEmpty()) { } // trailers
                    break;
                }
                body.write(in.readNBytes(size));
                line(in);
            }
        } else if (length >= 0) {
            body.write(in.readNBytes((int) length));
        } else {
            throw new IOException("response without length");
        }
        return new Answer(status, body.toString(StandardCharsets.UTF_8), close);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) throw new IOException("connection closed mid-response");
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }
}
