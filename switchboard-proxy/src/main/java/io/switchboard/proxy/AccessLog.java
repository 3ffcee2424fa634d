package io.switchboard.proxy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
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

    AccessLog OFF = r -> {};

    /** @param target "stdout", "off" or a file path (appended) */
    static AccessLog open(String target) throws IOException {
        if (target == null || target.equals("off")) return OFF;
        if (target.equals("stdout")) {
            return async(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)), false);
        }
        Writer w = Files.newBufferedWriter(Path.of(target), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return async(w, true);
    }

    static AccessLog async(Writer out, boolean closeWriter) {
        return new Async(out, closeWriter);
    }

    /** The off-loop writer. Threading: any thread logs; one daemon thread writes. */
    final class Async implements AccessLog {
        private final BlockingQueue<AccessRecord> queue = new ArrayBlockingQueue<>(65_536);
        private final AtomicLong dropped = new AtomicLong();
        private final Writer out;
        private final boolean closeWriter;
        private final Thread thread;
        private volatile boolean closed;

        Async(Writer out, boolean closeWriter) {
            this.out = out;
            this.closeWriter = closeWriter;
            this.thread = new Thread(this::run, "access-log");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void log(AccessRecord r) {
            if (!queue.offer(r)) dropped.incrementAndGet();
        }

        public long dropped() {
            return dropped.get();
        }

        private void run() {
            try {
                while (!closed || !queue.isEmpty()) {
                    AccessRecord r = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (r == null) {
                        out.flush();
                        continue;
                    }
                    out.write(r.format());
                    out.write('\n');
                    // Write whatever else is queued before flushing once.
                    AccessRecord more;
                    while ((more = queue.poll()) != null) {
                        out.write(more.format());
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
