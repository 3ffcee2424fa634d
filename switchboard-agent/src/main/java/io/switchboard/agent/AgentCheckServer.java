package io.switchboard.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;

/**
 * HAProxy's agent-check server: to each TCP connection it writes the current answer line and
 * closes. The line is made by the measuring thread once per interval ({@link #answer(String)}), so
 * a check costs a write, never a measurement.
 *
 * <p>Bounded: each connection gets its own virtual thread, which writes the line (a few dozen
 * bytes: it fits any socket send buffer, so the write does not wait for the client), half-closes,
 * and then waits at most {@link #LINGER_MILLIS} for the client to close, discarding what it sent
 * (HAProxy's {@code agent-send} string); closing with unread input would reset the connection and
 * could destroy the answer before HAProxy read it. A slow or silent client holds only its own
 * thread, for at most that long; beyond {@link #MAX_OPEN} open connections a new one gets the line
 * and an immediate close.
 *
 * <p>Threading: one platform thread accepts; one virtual thread per connection; {@link #answer}
 * from any thread (a volatile write).
 */
final class AgentCheckServer implements AutoCloseable {
    private static final System.Logger log = System.getLogger(AgentCheckServer.class.getName());
    static final int LINGER_MILLIS = 2_000;
    static final int MAX_OPEN = 256;

    private final ServerSocket server;
    private final Thread acceptor;
    private final Semaphore open = new Semaphore(MAX_OPEN);
    private volatile byte[] answer;

    private AgentCheckServer(ServerSocket server, String initial) {
        this.server = server;
        this.answer = initial.getBytes(StandardCharsets.US_ASCII);
        this.acceptor = Thread.ofPlatform().name("agent-check-accept").daemon().unstarted(this::acceptLoop);
    }

    /** Binds and starts accepting. */
    static AgentCheckServer start(InetSocketAddress address, String initial) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(address, 128);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen for agent checks on " + address + ": " + e.getMessage(), e);
        }
        AgentCheckServer a = new AgentCheckServer(s, initial);
        a.acceptor.start();
        return a;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** The line later checks get, newline included. */
    void answer(String line) {
        answer = line.getBytes(StandardCharsets.US_ASCII);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (server.isClosed()) return;
                log.log(System.Logger.Level.WARNING, "agent-check accept failed: {0}", e.toString());
                // e.g. out of file descriptors: try again shortly rather than spin
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            if (open.tryAcquire()) {
                Thread.ofVirtual().name("agent-check").start(() -> {
                    try {
                        serve(c, true);
                    } finally {
                        open.release();
                    }
                });
            } else {
                serve(c, false);
            }
        }
    }

    private void serve(Socket c, boolean linger) {
        try (c) {
            c.setSoTimeout(LINGER_MILLIS);
            c.getOutputStream().write(answer);
            c.shutdownOutput();
            if (!linger) return;
            InputStream in = c.getInputStream();
            byte[] sink = new byte[256];
            long deadline = System.nanoTime() + LINGER_MILLIS * 1_000_000L;
            while (System.nanoTime() < deadline && in.read(sink) >= 0) {
                // discard the client's agent-send text until it closes
            }
        } catch (SocketException e) {
            // the client went away first: nothing to answer any more
        } catch (IOException e) {
            log.log(System.Logger.Level.DEBUG, "agent-check connection: {0}", e.toString());
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
