package io.switchboard.app;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the running config when its file changes: what SIGHUP does, without the signal.
 *
 * <p>A {@link WatchService} watches directories, not files, and that suits how files are really
 * changed: editors and tools rarely write in place (vim, {@code sed -i}, {@code cp new tmp && mv tmp
 * FILE} replace the file by a rename; Kubernetes swaps a symbolic link in the directory). So the
 * file's directory is watched, and an event counts when it names the file (created, modified,
 * deleted, renamed onto) or, when the file is a symbolic link, whatever it names. An editor's save is
 * several events in a row, and a half-written file must not be loaded: each event that counts starts
 * a quiet period of {@link #DEBOUNCE}, and the file is read once it passes without another (or
 * {@link #MAX_DELAY} after the first, so that a busy directory cannot put a reload off for ever). If
 * the file's bytes differ from the last ones seen, {@code reload} runs; it logs every error and keeps
 * the running config when the new file is not valid ({@link Switchboard#reloadFromSource}).
 *
 * <p>{@code enabled} is asked on each change, so {@code watch-config: false} in a reloaded file stops
 * the reloads and a SIGHUP with {@code watch-config: true} starts them again.
 *
 * <p>Threading: one daemon thread waits for events and runs {@code reload} (which serializes with
 * SIGHUP reloads on the {@link Switchboard}); {@link #close} from any thread.
 */
final class ConfigWatcher implements AutoCloseable {
    static final Duration DEBOUNCE = Duration.ofMillis(200);
    static final Duration MAX_DELAY = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final Path file;
    private final Path name;
    private final WatchService service;
    private final BooleanSupplier enabled;
    private final Runnable reload;
    private final Thread thread;
    private byte[] lastDigest; // watcher thread only (set before the thread starts)

    private ConfigWatcher(Path file, WatchService service, BooleanSupplier enabled, Runnable reload) {
        this.file = file;
        this.name = file.getFileName();
        this.service = service;
        this.enabled = enabled;
        this.reload = reload;
        this.lastDigest = digest(file);
        this.thread = new Thread(this::run, "config-watcher");
        thread.setDaemon(true);
    }

    /**
     * Starts watching {@code file}'s directory.
     *
     * @param enabled asked on every change: reload only while it is true
     * @param reload run on a change of the file's content
     * @throws IOException when the directory cannot be watched
     */
    static ConfigWatcher start(Path file, BooleanSupplier enabled, Runnable reload) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        Path dir = absolute.getParent();
        WatchService service = dir.getFileSystem().newWatchService();
        try {
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | RuntimeException e) {
            service.close();
            throw e;
        }
        ConfigWatcher w = new ConfigWatcher(absolute, service, enabled, reload);
        w.thread.start();
        log.debug("watching {} for changes", absolute);
        return w;
    }

    private void run() {
        try {
            while (true) {
                if (!relevant(service.take())) continue;
                long first = System.nanoTime();
                long quietUntil = first + DEBOUNCE.toNanos();
                while (true) {
                    long wait = Math.min(quietUntil, first + MAX_DELAY.toNanos()) - System.nanoTime();
                    if (wait <= 0) break;
                    WatchKey more = service.poll(wait, TimeUnit.NANOSECONDS);
                    if (more != null && relevant(more)) quietUntil = System.nanoTime() + DEBOUNCE.toNanos();
                }
                changed();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        } catch (DirectoryGone e) {
            log.warn("{}: its directory can no longer be watched; changes are not picked up any more (SIGHUP still reloads)", file);
        }
    }

    /** Whether the key's events concern the file; re-arms the key. */
    private boolean relevant(WatchKey key) throws DirectoryGone {
        boolean any = false;
        boolean link = Files.isSymbolicLink(file);
        for (WatchEvent<?> e : key.pollEvents()) {
            if (e.kind() == StandardWatchEventKinds.OVERFLOW || link || name.equals(e.context())) any = true;
        }
        if (!key.reset()) throw new DirectoryGone();
        return any;
    }

    private void changed() {
        if (!enabled.getAsBoolean()) {
            log.debug("{} changed; watch-config is false, so it is not reloaded", file);
            return;
        }
        byte[] d;
        try {
            d = sha256(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            if (lastDigest != null) log.warn("{} was removed; the running config is kept until it is back", file);
            lastDigest = null;
            return;
        } catch (IOException e) {
            log.warn("{} changed but cannot be read ({}); the running config is kept", file, e.getMessage());
            return;
        }
        if (Arrays.equals(d, lastDigest)) return; // touched, or written back unchanged
        lastDigest = d;
        log.info("{} changed", file);
        try {
            reload.run();
        } catch (RuntimeException e) {
            log.error("reload after a change of {} failed; the running config is kept", file, e);
        }
    }

    private static byte[] digest(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The watched directory was deleted or unmounted: its key cannot be re-armed. */
    private static final class DirectoryGone extends Exception {
        DirectoryGone() {
            super(null, null, false, false);
        }
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            log.debug("closing the watch service: {}", e.toString());
        }
        try { // a reload in progress finishes; take() and poll() then see the service closed
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
