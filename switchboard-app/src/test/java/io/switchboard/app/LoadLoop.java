package io.switchboard.app;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded HTTP/1.1 load loop on raw keep-alive sockets: {@code connections} threads, each sending
 * {@code GET path} one after the other on its own connection, opening a new connection after
 * {@code requestsPerConnection} requests or when the server says {@code Connection: close}.
 *
 * <p>Raw sockets rather than an HTTP client library, because the fault tests need to know exactly
 * what happened to every request: refused at connect; closed with not one byte of response (the
 * server never took the request: a keep-alive connection it closed as the request went out, or a
 * connection still in the kernel's backlog when the listener closed); a response cut short; a
 * status other than 200. A request closed before any byte is sent again on a new connection, as
 * RFC 9112 section 9.3.1 allows for a GET; the tests decide whether that may happen at all.
 *
 * <p>Each thread stops at the first of: {@link #stop()}, {@code maxPerConnection} requests, the
 * deadline. Threading: the counters are atomic; start and stop from the test's thread.
 */
final class LoadLoop {
    private final InetSocketAddress target;
    private final String path;
    private final int connections;
    private final int requestsPerConnection;
    private final long maxPerConnection;
    private final long deadlineNanos;
    private final List<Thread> threads = new ArrayList<>();
    private final List<long[]> latencies = new ArrayList<>(); // per thread, when recorded
    private boolean recordLatencies;
    private long paceNanos;
    private volatile boolean stop;

    /** Requests that got a complete response (any status). */
    final AtomicLong completed = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    /** Complete responses whose status was not 200. */
    final AtomicLong non200 = new AtomicLong();
    /** A response started but did not finish, or none came within the read timeout: always a failure. */
    final AtomicLong broken = new AtomicLong();
    /** The connection closed (or was reset) before one byte of response; the request was sent again. */
    final AtomicLong closedBeforeResponse = new AtomicLong();
    /** Complete responses that carried {@code Connection: close} (e.g. answered while the server drains). */
    final AtomicLong closeResponses = new AtomicLong();
    /** Connects refused (or failed): nothing was sent. */
    final AtomicLong refused = new AtomicLong();
    final AtomicLong connects = new AtomicLong();
    private final Map<String, LongAdder> byBackend = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    private final AtomicInteger problemCount = new AtomicInteger();

    LoadLoop(InetSocketAddress target, String path, int connections, int requestsPerConnection, long maxPerConnection,
             Duration maxTime) {
        this.target = new InetSocketAddress("127.0.0.1", target.getPort());
        this.path = path;
        this.connections = connections;
        this.requestsPerConnection = requestsPerConnection;
        this.maxPerConnection = maxPerConnection;
        this.deadlineNanos = System.nanoTime() + maxTime.toNanos();
    }

    /** Keeps the time of every complete response, for {@link #latenciesNanos()}; before {@link #start()}. */
    LoadLoop recordLatencies() {
        if (maxPerConnection > 1_000_000) throw new IllegalStateException("too many requests per connection to record");
        recordLatencies = true;
        return this;
    }

    /**
     * Each connection sends one request every {@code interval} (at once when it fell behind) instead of
     * as fast as it can: clients that leave the machine idle between requests, so that a latency
     * measures the proxy, not a queue for the CPU. Before {@link #start()}.
     */
    LoadLoop paced(Duration interval) {
        paceNanos = interval.toNanos();
        return this;
    }

    LoadLoop start() {
        for (int i = 0; i < connections; i++) {
            long[] lat = recordLatencies ? new long[(int) maxPerConnection] : null;
            latencies.add(lat);
            Thread t = new Thread(() -> run(lat), "load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    /** Waits until {@code n} requests completed (or every thread ended, or the timeout passed). */
    boolean awaitCompleted(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (completed.get() < n) {
            if (System.nanoTime() > deadline || threads.stream().noneMatch(Thread::isAlive)) return false;
            Thread.sleep(5);
        }
        return true;
    }

    /** Waits for every thread to end by itself (its count or the deadline). */
    void awaitDone() throws InterruptedException {
        for (Thread t : threads) t.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000 + 20_000));
    }

    /** From request written to response read, of every complete response; after the threads ended. */
    long[] latenciesNanos() {
        int n = 0;
        if (!recordLatencies) throw new IllegalStateException("latencies were not recorded");
        for (long[] l : latencies) for (long v : l) if (v > 0) n++;
        long[] all = new long[n];
        int i = 0;
        for (long[] l : latencies) for (long v : l) if (v > 0) all[i++] = v;
        return all;
    }

    /** Asks every thread to stop after its current request and waits for them. */
    void stop() throws InterruptedException {
        stop = true;
        for (Thread t : threads) t.join(30_000);
    }

    /** Requests answered 200 by each back end (its {@code X-Backend} header). */
    long answeredBy(String backend) {
        LongAdder a = byBackend.get(backend);
        return a == null ? 0 : a.sum();
    }

    Map<String, Long> byBackend() {
        Map<String, Long> m = new TreeMap<>();
        byBackend.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** The first problems seen, for the assertion message. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /** Failures: a request the server took and did not answer in full, or answered with a status other than 200. */
    long failures() {
        return broken.get() + non200.get();
    }

    String summary() {
        return String.format(Locale.ROOT, "completed=%d ok=%d non200=%d broken=%d closedBeforeResponse=%d refused=%d"
                        + " connects=%d connectionCloseResponses=%d byBackend=%s", completed.get(), ok.get(), non200.get(),
                broken.get(), closedBeforeResponse.get(), refused.get(), connects.get(), closeResponses.get(), byBackend());
    }

    private void problem(String p) {
        if (problemCount.incrementAndGet() <= 20) problems.add(p);
    }

    private boolean running(long done) {
        return !stop && done < maxPerConnection && System.nanoTime() < deadlineNanos;
    }

    private void run(long[] latency) {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: switchboard.test\r\nUser-Agent: load-loop\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        Socket socket = null;
        InputStream in = null;
        int onConnection = 0;
        long done = 0;
        long next = System.nanoTime();
        try {
            while (running(done)) {
                if (paceNanos > 0) {
                    next += paceNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                if (socket == null) {
                    try {
                        socket = new Socket();
                        socket.setTcpNoDelay(true);
                        socket.setSoTimeout(15_000);
                        socket.connect(target, 5_000);
                        in = new BufferedInputStream(socket.getInputStream(), 4096);
                        connects.incrementAndGet();
                        onConnection = 0;
                    } catch (IOException e) {
                        refused.incrementAndGet();
                        if (!(e instanceof ConnectException)) problem("connect: " + e);
                        closeQuietly(socket);
                        socket = null;
                        Thread.sleep(20); // a refused connect returns at once: do not spin
                        continue;
                    }
                }
                Response r;
                long sentAt = System.nanoTime();
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(request);
                    out.flush();
                } catch (IOException e) {
                    // the server had closed this connection already: it cannot have read the request
                    closedBeforeResponse.incrementAndGet();
                    closeQuietly(socket);
                    socket = null;
                    continue;
                }
                try {
                    r = readResponse(in);
                } catch (NothingReceived e) {
                    closedBeforeResponse.incrementAndGet();
                    closeQuietly(socket);
                    socket = null;
                    continue; // send it again on a new connection
                } catch (IOException e) {
                    broken.incrementAndGet();
                    problem("request " + (onConnection + 1) + " on its connection: " + e);
                    closeQuietly(socket);
                    socket = null;
                    done++;
                    continue;
                }
                if (latency != null) latency[(int) done] = System.nanoTime() - sentAt;
                done++;
                onConnection++;
                completed.incrementAndGet();
                if (r.status == 200) {
                    ok.incrementAndGet();
                    if (r.backend != null) byBackend.computeIfAbsent(r.backend, k -> new LongAdder()).increment();
                } else {
                    non200.incrementAndGet();
                    problem("status " + r.status + ": " + r.body.strip());
                }
                if (r.close) closeResponses.incrementAndGet();
                if (r.close || onConnection >= requestsPerConnection) {
                    closeQuietly(socket);
                    socket = null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(socket);
        }
    }

    /** Not one byte of a response: the server did not take the request. */
    private static final class NothingReceived extends IOException {
        NothingReceived(String why) {
            super(why);
        }
    }

    record Response(int status, String backend, boolean close, String body) {}

    /** Reads one response with a Content-Length body (what the demo back ends and the proxy's errors send). */
    static Response readResponse(InputStream in) throws IOException {
        String statusLine = readLine(in, true);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("bad status line: " + statusLine);
        int status = Integer.parseInt(parts[1]);
        long length = -1;
        boolean close = parts[0].equals("HTTP/1.0");
        String backend = null;
        String line;
        while (!(line = readLine(in, false)).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon < 0) throw new IOException("bad header line: " + line);
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "connection" -> close = value.equalsIgnoreCase("close");
                case "x-backend" -> backend = value;
                case "transfer-encoding" -> throw new IOException("unexpected transfer-encoding " + value);
                default -> { }
            }
        }
        if (length < 0) throw new IOException("response without Content-Length (status " + status + ")");
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) throw new EOFException("body cut short: " + body.length + " of " + length + " bytes");
        return new Response(status, backend, close, new String(body, StandardCharsets.UTF_8));
    }

    private static String readLine(InputStream in, boolean first) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int c;
            try {
                c = in.read();
            } catch (SocketTimeoutException e) {
                throw new IOException("no response within the read timeout" + (first && line.size() == 0 ? "" : " (cut short)"), e);
            } catch (java.net.SocketException e) {
                if (first && line.size() == 0) throw new NothingReceived("reset before any byte: " + e.getMessage());
                throw e;
            }
            if (c < 0) {
                if (first && line.size() == 0) throw new NothingReceived("closed before any byte");
                throw new EOFException("connection closed mid-response");
            }
            if (c == '\n') break;
            line.write(c);
            if (line.size() > 16 * 1024) throw new IOException("line too long");
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static void closeQuietly(Socket s) {
        if (s == null) return;
        try {
            s.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
    }

}
