package io.switchboard.proxy.guard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A back end on 127.0.0.1 that answers every request head with exactly the bytes the test set, and
 * reports what happened to its connections: how many were opened, and how many the proxy closed
 * right after a reply that {@link #expectClose} said was bad. Each connection has its own (virtual)
 * thread, so a connection idle in the proxy's pool never blocks another.
 *
 * <p>Threading: the test thread sets the reply; connection threads read it (volatile).
 */
final class ScriptedBackend implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger closedAfterBadReply = new AtomicInteger();
    private volatile byte[] reply = new byte[0];
    private volatile boolean expectClose;

    ScriptedBackend() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** The reply to send from now on; {@code bad} when the proxy must close the connection after it. */
    void reply(String wire, boolean bad) {
        this.reply = wire.getBytes(StandardCharsets.ISO_8859_1);
        this.expectClose = bad;
    }

    int accepted() {
        return accepted.get();
    }

    int closedAfterBadReply() {
        return closedAfterBadReply.get();
    }

    private void acceptLoop() {
        for (int i = 0; i < 10_000 && !server.isClosed(); i++) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        boolean afterBadReply = false;
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int n = 0; n < 1000 && readHead(in); n++) {
                afterBadReply = expectClose;
                out.write(reply);
                out.flush();
                if (afterBadReply) {
                    if (in.read() < 0) closedAfterBadReply.incrementAndGet();
                    return;
                }
            }
        } catch (SocketException e) {
            if (afterBadReply) closedAfterBadReply.incrementAndGet(); // reset by the proxy: a close too
        } catch (IOException e) {
            // timed out: the connection was neither used nor closed; the test notices the count
        }
    }

    /** Reads up to the blank line of a request head; false at end of stream. */
    private static boolean readHead(InputStream in) throws IOException {
        int matched = 0;
        for (int i = 0; i < 64 * 1024; i++) {
            int c = in.read();
            if (c < 0) return false;
            matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : (c == '\r' ? 1 : 0);
            if (matched == 4) return true;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
