package io.switchboard.proxy.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP back end on 127.0.0.1 with plain blocking sockets: echoes every byte, and when the client's
 * half of the connection ends (EOF), answers {@code [<name> <count>]} with the number of bytes it read
 * and closes. So a test sees that the bytes came back intact, which server it reached, and that an EOF
 * passed through while the other direction still worked.
 *
 * <p>Threading: one daemon thread accepts, one daemon thread per connection; at most
 * {@value #MAX_CONNECTIONS} connections, then the server stops accepting.
 */
final class EchoServer implements AutoCloseable {
    static final int MAX_CONNECTIONS = 200;

    private final String name;
    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger eofs = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    EchoServer(String name) throws IOException {
        this.name = name;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptAll, "echo-" + name);
        t.setDaemon(true);
        t.start();
    }

    String name() {
        return name;
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    /** Connections whose client half ended with an EOF seen here. */
    int eofs() {
        return eofs.get();
    }

    private void acceptAll() {
        while (accepted.get() < MAX_CONNECTIONS) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            open.add(s);
            Thread t = new Thread(() -> echo(s), "echo-" + name + "-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void echo(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[16384];
            long count = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
                count += n;
            }
            eofs.incrementAndGet();
            out.write(("[" + name + " " + count + "]").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the peer reset or the server was closed: nothing to answer
        } finally {
            open.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) s.close();
    }
}
