package io.switchboard.proxy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where finished requests go. {@link #log} is called on event loops and must never block:
 * {@link #async} hands records to one writer thread through a bounded queue and counts what it had
 * to drop when the writer falls behind, rather than stalling the data plane.
 */
public interface AccessLog extends AutoCloseable {
    void log(AccessRecord r);

    @Override
    default void close() {}

    /** Records waiting for the writer thread (a metric: the writer is falling behind when it grows). */
    default int pending() { return 0; }

    /** Records dropped because the queue was full, since start. */
    default long droppedTotal() { return 0; }

    /**
     * Closes the file and opens it again by its path, so that lines after this call go to a new file
     * when log rotation has renamed the old one (logrotate's postrotate sends SIGUSR1). Returns at once;
     * the writer thread reopens before it writes the next line. Nothing to do for stdout or off.
     */
    default void reopen() {}

    AccessLog OFF = r -> {};

    /** How one record becomes one line. */
    enum Format {
        /** NCSA combined, as Apache and NGINX write it ({@link AccessRecord#combined()}). */
        COMBINED,
        /** One JSON object per line ({@link AccessRecord#json()}). */
        JSON,
        /** Switchboard's own line, with back end, bytes both ways, time and cause ({@link AccessRecord#format()}). */
        SWITCHBOARD;

        public static Format parse(String s) {
            return switch (s == null ? "combined" : s.toLowerCase(Locale.ROOT)) {
                case "combined" -> COMBINED;
                case "json" -> JSON;
                case "switchboard" -> SWITCHBOARD;
                default -> throw new IllegalArgumentException("unknown access log format '" + s
                        + "' (allowed: combined, json, switchboard)");
            };
        }

        public String render(AccessRecord r) {
            return switch (this) {
                case COMBINED -> r.combined();
                case JSON -> r.json();
                case SWITCHBOARD -> r.format();
            };
        }
    }

    /** @param target "stdout", "off" or a file path (appended); lines in Switchboard's own format */
    static AccessLog open(String target) throws IOException {
        return open(target, Format.SWITCHBOARD);
    }

    /** @param target "stdout", "off" or a file path (appended) */
    static AccessLog open(String target, Format format) throws IOException {
        if (target == null || target.equals("off")) return OFF;
        if (target.equals("stdout")) {
            return async(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)), false, format);
        }
        Path file = Path.of(target);
        return new Async(openAppending(file), true, format, file);
    }

    private static Writer openAppending(Path file) throws IOException {
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static AccessLog async(Writer out, boolean closeWriter) {
        return new Async(out, closeWriter, Format.SWITCHBOARD);
    }

    static AccessLog async(Writer out, boolean closeWriter, Format format) {
        return new Async(out, closeWriter, format);
    }

    /**
     * The off-loop writer. Threading: any thread logs or asks for a reopen; one daemon thread writes,
     * and is the only one that touches the writer until {@link #close}.
     */
    final class Async implements AccessLog {
        private final BlockingQueue<AccessRecord> queue = new ArrayBlockingQueue<>(65_536);
        private final AtomicLong dropped = new AtomicLong();
        private final AtomicLong droppedTotal = new AtomicLong();
        private volatile Writer out;
        /** The file behind {@link #out}, reopened on request; null for a stream (stdout, tests). */
        private final Path file;
        private final AtomicBoolean reopenRequested = new AtomicBoolean();
        private final Format format;
        private final boolean closeWriter;
        private final Thread thread;
        private volatile boolean closed;

        Async(Writer out, boolean closeWriter, Format format) {
            this(out, closeWriter, format, null);
        }

        Async(Writer out, boolean closeWriter, Format format, Path file) {
            this.out = out;
            this.file = file;
            this.format = format;
            this.closeWriter = closeWriter;
            this.thread = new Thread(this::run, "access-log");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void log(AccessRecord r) {
            if (!queue.offer(r)) {
                dropped.incrementAndGet();
                droppedTotal.incrementAndGet();
            }
        }

        public long dropped() {
            return dropped.get();
        }

        @Override
        public int pending() {
            return queue.size();
        }

        @Override
        public long droppedTotal() {
            return droppedTotal.get();
        }

        @Override
        public void reopen() {
            if (file != null) reopenRequested.set(true);
        }

        /** On the writer thread: a failed reopen keeps writing to the old file rather than losing lines. */
        private void reopenIfRequested() throws IOException {
            if (!reopenRequested.getAndSet(false)) return;
            out.flush();
            Writer next;
            try {
                next = openAppending(file);
            } catch (IOException e) {
                System.err.println("access log: cannot reopen " + file + " (" + e + "); still writing to the file opened before");
                return;
            }
            Writer old = out;
            out = next;
            old.close();
        }

        private void run() {
            try {
                while (!closed || !queue.isEmpty()) {
                    AccessRecord r = queue.poll(200, TimeUnit.MILLISECONDS);
                    reopenIfRequested();
                    if (r == null) {
                        out.flush();
                        continue;
                    }
                    out.write(format.render(r));
                    out.write('\n');
                    // Write whatever else is queued before flushing once.
                    AccessRecord more;
                    while ((more = queue.poll()) != null) {
                        out.write(format.render(more));
                        out.write('\n');
                    }
                    long d = dropped.getAndSet(0);
                    if (d > 0) out.write("access log: dropped " + d + " records (writer too slow)\n");
                    out.flush();
                }
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                System.err.println("access log: write failed, logging stops: " + e);
            }
        }

        @Override
        public void close() {
            closed = true;
            try {
                thread.join(2_000);
                if (closeWriter) out.close(); else out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException ignored) {
                // closing a log at shutdown: nothing useful left to do
            }
        }
    }
}
