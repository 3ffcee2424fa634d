package io.switchboard.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving back end on 127.0.0.1 written with plain blocking sockets, so that what it does wrong
 * is exactly what the test says: accept and never answer, answer garbage, close early, reset.
 *
 * <p>Threading: one daemon thread accepts and runs the behaviour for each connection in turn; it
 * ends when the server is closed or after {@value #MAX_CONNECTIONS} connections.
 */
public final class RawServer implements AutoCloseable {
    public static final int MAX_CONNECTIONS = 1000;

    /** What to do with one accepted connection; the socket is closed afterwards unless already closed. */
    @FunctionalInterface
    public interface Behaviour {
        void handle(Socket socket) throws IOException;
    }

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();

    private RawServer(ServerSocket server) {
        this.server = server;
    }

    /** Completes TCP handshakes in the kernel's backlog but never accepts, so never reads or answers. */
    public static RawServer silent() throws IOException {
        return new RawServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    public static RawServer answering(Behaviour behaviour) throws IOException {
        RawServer s = new RawServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread t = new Thread(() -> s.serve(behaviour), "raw-server-" + s.port());
        t.setDaemon(true);
        t.start();
        return s;
    }

    /** A port on 127.0.0.1 that nothing listens on (bound a moment ago, then released). */
    public static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public int accepted() {
        return accepted.get();
    }

    private void serve(Behaviour behaviour) {
        while (!server.isClosed() && accepted.get() < MAX_CONNECTIONS) {
            try (Socket socket = server.accept()) {
                accepted.incrementAndGet();
                socket.setSoTimeout(10_000);
                behaviour.handle(socket);
            } catch (SocketException e) {
                if (server.isClosed()) return;
            } catch (IOException e) {
                // one connection misbehaved on the client side too; serve the next
            }
        }
    }

    /**
     * Reads a request head up to its blank line, so that closing afterwards sends a FIN and not the
     * RST the kernel sends when unread data is discarded.
     */
    public static void readHead(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        int matched = 0;
        for (int i = 0; i < 64 * 1024; i++) {
            int c = in.read();
            if (c < 0) return;
            matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
            if (matched == 4) return;
        }
    }

    /** Blocks until the client closes its side (or the socket's read timeout passes). */
    public static void awaitEof(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[4096];
        for (int i = 0; i < 1024 && in.read(buf) >= 0; i++) {
            // discard
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
