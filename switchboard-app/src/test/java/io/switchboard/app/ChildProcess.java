package io.switchboard.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM started by a test on the test's own class path: a {@code switchboard run} that gets real
 * signals, or a back end that is really SIGKILLed. Its standard output and error are merged, kept
 * line by line (bounded) and echoed with a prefix, so a failing test shows what the child said.
 *
 * <p>Threading: one daemon thread reads the child's output; the other methods are for the test's
 * thread. Lines are guarded by this object's monitor.
 */
final class ChildProcess implements AutoCloseable {
    private static final int MAX_LINES = 20_000;

    private final String label;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private ChildProcess(String label, Process process) {
        this.label = label;
        this.process = process;
        this.reader = new Thread(this::readOutput, "child-" + label);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass args...} in a new JVM with this JVM's java binary and class path. */
    static ChildProcess java(String label, List<String> jvmOptions, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow(() -> new IOException("cannot tell this JVM's java binary")));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        return new ChildProcess(label, pb.start());
    }

    /** {@code switchboard run -c FILE}, as a service manager starts it. */
    static ChildProcess switchboardRun(String label, java.nio.file.Path config) throws IOException {
        return java(label, List.of("-Xmx128m"), Main.class.getName(), "run", "-c", config.toString());
    }

    /** Waits for a started {@code run} to say it is ready; returns the address of the listener in front of {@code pool}. */
    java.net.InetSocketAddress awaitListening(String pool, Duration timeout) throws InterruptedException {
        String line = awaitLine(l -> l.contains(" listening on ") && l.contains(" -> pool " + pool + " "), timeout);
        awaitLine(l -> l.contains("ready (pid " + pid() + ")"), timeout);
        String address = line.substring(line.indexOf(" listening on ") + " listening on ".length(), line.indexOf(" -> pool "));
        int colon = address.lastIndexOf(':');
        return new java.net.InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal by name ("HUP", "TERM") with kill(1): ProcessHandle can only send TERM and KILL. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed: " + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** SIGKILL, and wait until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** The exit code, or null when it has not exited within {@code timeout}. */
    Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** The first line (from the beginning of the output) that matches, waiting up to {@code timeout}. */
    String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        return awaitLines(match, 1, timeout).get(0);
    }

    /**
     * Waits until at least {@code n} lines match and returns them.
     *
     * @throws AssertionError when they do not come in time or the process ends first, with the output
     */
    synchronized List<String> awaitLines(Predicate<String> match, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> found = lines.stream().filter(match).toList();
            if (found.size() >= n) return found;
            long left = deadline - System.nanoTime();
            if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                throw new AssertionError(label + ": expected " + n + " matching lines within " + timeout.toMillis()
                        + " ms, found " + found.size() + (process.isAlive() ? "" : " (the process exited)")
                        + "; output:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
            }
            wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
        }
    }

    synchronized long count(Predicate<String> match) {
        return lines.stream().filter(match).count();
    }

    synchronized List<String> output() {
        return List.copyOf(lines);
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                System.out.println("[" + label + "] " + line);
                synchronized (this) {
                    if (lines.size() < MAX_LINES) lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone
        } finally {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Stops the process if it still runs: SIGKILL, since a test that gets here has nothing left to wait for. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) kill();
            reader.join(5_000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
