package io.switchboard.app.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client of {@link DsrNetnsIT}, run in its own JVM inside the client namespace. Keep-alive
 * HTTP/1.1 connections; the back ends answer their name ({@code DemoBackend}).
 * <ul>
 *   <li>{@code conns HOST:PORT N GOFILE}: opens N connections, one request on each, prints
 *       {@code conn <i> <server> <localPort>}, then {@code opened}; waits (up to 120 s) until GOFILE
 *       exists, sends another request on every connection and prints {@code again <i> <server>} or
 *       {@code again <i> FAIL <why>}, then {@code done}.</li>
 *   <li>{@code load HOST:PORT CONNECTIONS REQUESTS}: REQUESTS requests over CONNECTIONS connections in
 *       parallel (one thread each), then {@code load ok=<n> failed=<n> ms=<wall> servers=<name=count,...>}.</li>
 * </ul>
 *
 * <p>Threading: {@code conns} is one thread; {@code load} one platform thread per connection.
 */
public final class DsrClient {
    static final int TIMEOUT_MILLIS = 3_000;

    private DsrClient() {}

    public static void main(String[] args) throws Exception {
        int colon = args[1].lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(args[1].substring(0, colon), Integer.parseInt(args[1].substring(colon + 1)));
        if (args[0].equals("conns")) conns(target, Integer.parseInt(args[2]), Path.of(args[3]));
        else load(target, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        System.out.flush();
    }

    private static void conns(InetSocketAddress target, int n, Path go) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(target, TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            sockets.add(s);
            System.out.println("conn " + i + " " + request(s) + " " + s.getLocalPort());
        }
        System.out.println("opened");
        System.out.flush();
        for (int i = 0; i < 1200 && !Files.exists(go); i++) Thread.sleep(100);
        for (int i = 0; i < n; i++) {
            String line;
            try {
                line = "again " + i + " " + request(sockets.get(i));
            } catch (IOException e) {
                line = "again " + i + " FAIL " + e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            System.out.println(line);
            sockets.get(i).close();
        }
        System.out.println("done");
    }

    private static void load(InetSocketAddress target, int connections, int requests) throws Exception {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Map<String, AtomicLong> servers = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int share = requests / connections + (c < requests % connections ? 1 : 0);
            threads.add(Thread.ofPlatform().start(() -> {
                Socket s = null;
                for (int k = 0; k < share; k++) {
                    try {
                        if (s == null) {
                            s = new Socket();
                            s.connect(target, TIMEOUT_MILLIS);
                            s.setSoTimeout(TIMEOUT_MILLIS);
                            s.setTcpNoDelay(true);
                        }
                        servers.computeIfAbsent(request(s), x -> new AtomicLong()).incrementAndGet();
                        ok.incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet();
                        close(s);
                        s = null;
                    }
                }
                close(s);
            }));
        }
        for (Thread t : threads) t.join();
        long ms = (System.nanoTime() - start) / 1_000_000;
        Map<String, Long> counts = new TreeMap<>();
        servers.forEach((k, v) -> counts.put(k, v.get()));
        StringBuilder b = new StringBuilder();
        counts.forEach((k, v) -> b.append(b.isEmpty() ? "" : ",").append(k).append('=').append(v));
        System.out.println("load ok=" + ok.get() + " failed=" + failed.get() + " ms=" + ms + " servers=" + b);
    }

    private static void close(Socket s) {
        try {
            if (s != null) s.close();
        } catch (IOException e) {
            // closing
        }
    }

    /** One {@code GET /} on the open connection; the body (the server's name), trimmed. */
    static String request(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: dsr\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        int last4 = 0;
        while (true) {
            int c = in.read();
            if (c < 0) throw new IOException("connection closed before the response's head ended");
            head.append((char) c);
            last4 = (last4 << 8) | c;
            if (last4 == 0x0d0a0d0a) break;
            if (head.length() > 16_384) throw new IOException("response head too long");
        }
        int length = -1;
        for (String line : head.toString().split("\r\n")) {
            int i = line.indexOf(':');
            if (i > 0 && line.substring(0, i).trim().equalsIgnoreCase("content-length")) length = Integer.parseInt(line.substring(i + 1).trim());
        }
        if (!head.toString().startsWith("HTTP/1.1 200")) throw new IOException("status " + head.toString().split("\r\n")[0]);
        if (length < 0) throw new IOException("no content-length");
        byte[] body = in.readNBytes(length);
        if (body.length != length) throw new IOException("connection closed in the body");
        return new String(body, StandardCharsets.US_ASCII).trim();
    }
}
