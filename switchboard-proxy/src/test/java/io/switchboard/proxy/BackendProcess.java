package io.switchboard.proxy;

import io.switchboard.proxy.demo.DemoBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link DemoBackend} in a JVM of its own on 127.0.0.1, so that a test can kill it for real
 * (SIGKILL: no FIN from a shutdown hook, connections reset by the kernel) and start it again on the
 * same port. Started with this JVM's java binary and class path.
 *
 * <p>Threading: one daemon thread reads the child's output (echoed with a prefix); the rest is for
 * the test's thread.
 */
public final class BackendProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final int port;

    private BackendProcess(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.port = port;
    }

    /** Starts a back end on {@code port} (0 = any free port) and waits until it listens. */
    public static BackendProcess start(String name, int port, long latencyMillis) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new IOException("cannot tell this JVM's java binary"));
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                DemoBackend.class.getName(), name, "127.0.0.1", Integer.toString(port), Long.toString(latencyMillis)))
                .redirectErrorStream(true).start();
        CompletableFuture<Integer> bound = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    System.out.println("[" + name + " pid " + p.pid() + "] " + line);
                    int at = line.indexOf(" listening on ");
                    if (at >= 0) bound.complete(Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim()));
                }
            } catch (IOException | RuntimeException e) {
                bound.completeExceptionally(e);
            }
            bound.completeExceptionally(new IOException(name + " exited before listening"));
        }, "backend-process-" + name);
        reader.setDaemon(true);
        reader.start();
        try {
            return new BackendProcess(name, p, bound.get(30, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IOException("back end " + name + " did not start: " + e.getMessage(), e);
        }
    }

    public String name() { return name; }
    public int port() { return port; }
    public long pid() { return process.pid(); }

    /** SIGKILL ({@link Process#destroyForcibly} on Linux), and wait until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL");
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
