package io.switchboard.app.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A process the network-namespace tests started inside one namespace ({@code ip netns exec NS cmd...},
 * which execs, so the PID is the command's own). Output (stdout and stderr merged) is kept line by line
 * (bounded), echoed with a prefix unless {@code quiet}, and can be handed to a listener line by line.
 * {@link #kill()} sends SIGKILL to the process's descendants first and then to the process, all by PID,
 * so that a daemon's worker cannot outlive (or mourn) its parent.
 *
 * <p>Threading: one daemon thread reads the output; everything else is for the test's thread. Lines
 * are guarded by this object's monitor.
 */
final class NsProcess implements AutoCloseable {
    private static final int MAX_LINES = 5_000;

    private final String label;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private NsProcess(String label, Process process, boolean quiet, Consumer<String> listener) {
        this.label = label;
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("ns-" + label).start(() -> read(quiet, listener));
    }

    static NsProcess start(String label, String namespace, List<String> command, Map<String, String> env,
                           boolean quiet, Consumer<String> listener) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        return new NsProcess(label, pb.start(), quiet, listener);
    }

    String label() { return label; }
    long pid() { return process.pid(); }
    boolean isAlive() { return process.isAlive(); }

    /** SIGKILL to every descendant, then to the process; waits until it is gone. */
    void kill() throws InterruptedException {
        killAll(List.of(this));
    }

    /**
     * SIGKILL to all of {@code processes} (descendants first) before waiting for any of them, so that
     * they die at the same moment, as the software of one crashed machine would.
     *
     * @return the wall-clock time (ms) at which the processes themselves had been reaped: the moment of
     *     the crash. Their descendants were signalled before and are waited for after it (bounded):
     *     this JVM cannot reap them, so the moment they are gone is known only to a coarse poll.
     */
    static long killAll(List<NsProcess> processes) throws InterruptedException {
        List<ProcessHandle> descendants = new ArrayList<>();
        for (NsProcess p : processes) descendants.addAll(p.process.toHandle().descendants().toList());
        for (ProcessHandle h : descendants) h.destroyForcibly();
        for (NsProcess p : processes) p.process.destroyForcibly();
        for (NsProcess p : processes) p.process.waitFor(10, TimeUnit.SECONDS);
        long gone = System.currentTimeMillis();
        for (ProcessHandle h : descendants) {
            for (int i = 0; i < 100 && h.isAlive() && !zombie(h.pid()); i++) Thread.sleep(10);
        }
        return gone;
    }

    /** Whether {@code pid} has exited but was not reaped yet (its parent was killed too; a container's init may never reap it). */
    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return true; // gone
        }
    }

    /** The first line that matches, waiting up to {@code timeout}; fails with the output when it does not come. */
    String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        return awaitLine(0, match, timeout);
    }

    /** How many lines were kept so far: a mark for {@link #awaitLine(int, Predicate, Duration)}. */
    synchronized int mark() {
        return lines.size();
    }

    /** The first line from line {@code from} on that matches, waiting up to {@code timeout}. */
    synchronized String awaitLine(int from, Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = from; i < lines.size(); i++) if (match.test(lines.get(i))) return lines.get(i);
            long left = deadline - System.nanoTime();
            if (left <= 0 || !reader.isAlive()) {
                throw new AssertionError(label + ": no expected line within " + timeout.toMillis() + " ms"
                        + (process.isAlive() ? "" : " (the process exited)") + "; last output:\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
            wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
        }
    }

    synchronized List<String> output() {
        return List.copyOf(lines);
    }

    private void read(boolean quiet, Consumer<String> listener) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (listener != null) listener.accept(line);
                if (!quiet) System.out.println("[" + label + "] " + line);
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
