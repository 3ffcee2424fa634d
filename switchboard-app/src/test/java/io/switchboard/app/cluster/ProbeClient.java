package io.switchboard.app.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client of the network-namespace tests, run in its own JVM inside the client namespace: every
 * {@code intervalMillis} it opens a new connection to each target, sends one {@code GET /} and
 * prints one line per finished request,
 * {@code R <target> <startMillis> <endMillis> OK <body> [user=<u>]} or {@code R <target> <start> <end> FAIL <why>},
 * so that the test can tell, to the interval, when an address answered again. A new connection per
 * request on purpose: the question is whether the address is served, not whether one connection lives.
 * With {@code USERS} above 0, request k to target t carries {@code X-User: u<t>-<k mod USERS>} (and
 * the line says {@code user=...}), so that the test can check that sticky users keep their server.
 *
 * <p>Runs until {@code maxSeconds} have passed or its standard input closes (the test is gone).
 * Requests run on virtual threads, at most {@link #MAX_IN_FLIGHT} per target; when that many hang, the
 * tick is skipped and reported as {@code SKIP}.
 *
 * <p>Threading: one scheduler thread launches requests; each request prints its line under the
 * monitor of {@code System.out}.
 */
public final class ProbeClient {
    static final int MAX_IN_FLIGHT = 200;
    static final int CONNECT_TIMEOUT_MILLIS = 1_000;
    static final int READ_TIMEOUT_MILLIS = 2_000;

    private ProbeClient() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ProbeClient INTERVAL_MS MAX_SECONDS USERS HOST:PORT...");
            System.exit(2);
        }
        long interval = Long.parseLong(args[0]);
        long maxSeconds = Long.parseLong(args[1]);
        int users = Integer.parseInt(args[2]);
        List<InetSocketAddress> targets = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            int colon = args[i].lastIndexOf(':');
            targets.add(new InetSocketAddress(args[i].substring(0, colon), Integer.parseInt(args[i].substring(colon + 1))));
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        var requests = Executors.newVirtualThreadPerTaskExecutor();
        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        List<AtomicInteger> inFlight = targets.stream().map(t -> new AtomicInteger()).toList();
        AtomicInteger tick = new AtomicInteger();
        ticks.scheduleAtFixedRate(() -> {
            int k = tick.getAndIncrement();
            for (int i = 0; i < targets.size(); i++) {
                InetSocketAddress target = targets.get(i);
                String user = users > 0 ? "u" + i + "-" + (k % users) : null;
                AtomicInteger n = inFlight.get(i);
                if (n.incrementAndGet() > MAX_IN_FLIGHT) {
                    n.decrementAndGet();
                    print(out, "SKIP " + label(target) + " " + System.currentTimeMillis());
                    continue;
                }
                requests.execute(() -> {
                    try {
                        print(out, request(target, user));
                    } finally {
                        n.decrementAndGet();
                    }
                });
            }
        }, 0, interval, TimeUnit.MILLISECONDS);
        print(out, "ready");
        Thread stdinWatch = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // only end of input matters
                }
            } catch (IOException e) {
                // the parent is gone as well
            }
            System.exit(0);
        });
        Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds));
        stdinWatch.interrupt();
        System.exit(0);
    }

    private static String request(InetSocketAddress target, String user) {
        long start = System.currentTimeMillis();
        String prefix = "R " + label(target) + " " + start + " ";
        try (Socket s = new Socket()) {
            s.setSoLinger(true, 0);
            s.connect(target, CONNECT_TIMEOUT_MILLIS);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream o = s.getOutputStream();
            o.write(("GET / HTTP/1.1\r\nHost: " + label(target) + "\r\nConnection: close\r\n"
                    + (user == null ? "" : "X-User: " + user + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            o.flush();
            String response = readAll(s.getInputStream());
            long end = System.currentTimeMillis();
            int headEnd = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.1 200") || headEnd < 0) {
                String status = response.isEmpty() ? "empty-response" : response.lines().findFirst().orElse("").replace(' ', '_');
                return prefix + end + " FAIL " + status;
            }
            String body = response.substring(headEnd + 4).strip().replaceAll("\\s+", "_");
            return prefix + end + " OK " + (body.isEmpty() ? "-" : body) + (user == null ? "" : " user=" + user);
        } catch (IOException e) {
            return prefix + System.currentTimeMillis() + " FAIL " + e.getClass().getSimpleName() + ":"
                    + String.valueOf(e.getMessage()).replaceAll("\\s+", "_");
        }
    }

    private static String readAll(InputStream in) throws IOException {
        byte[] buf = in.readNBytes(64 * 1024);
        return new String(buf, StandardCharsets.ISO_8859_1);
    }

    private static String label(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    private static void print(PrintStream out, String line) {
        synchronized (System.out) {
            out.println(line);
            out.flush();
        }
    }
}
