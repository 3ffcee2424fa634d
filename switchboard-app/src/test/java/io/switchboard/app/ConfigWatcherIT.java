package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config file watcher on a real directory: saves in place and by rename reload once each; a
 * touch, an unchanged rewrite, other files of the directory and a watcher switched off do not; a
 * deleted file keeps the running config and reloads when it is back. "Does not" is checked after
 * waiting well past the debounce, and after a later change that does reload, so events are known
 * to have been handled.
 */
class ConfigWatcherIT {
    private static final Duration SETTLE = ConfigWatcher.DEBOUNCE.multipliedBy(4);

    @TempDir
    Path dir;

    private Path file;
    private final AtomicInteger reloads = new AtomicInteger();
    private final AtomicBoolean enabled = new AtomicBoolean(true);
    private ConfigWatcher watcher;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("switchboard.yaml");
        Files.writeString(file, "version: 0\n");
        watcher = ConfigWatcher.start(file, enabled::get, reloads::incrementAndGet);
    }

    @AfterEach
    void stop() {
        watcher.close();
    }

    private void awaitReloads(int n) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(reloads.get()).isEqualTo(n));
    }

    @Test
    void inPlaceWriteReloadsOnce() throws Exception {
        Files.writeString(file, "version: 1\n");
        awaitReloads(1);
        Thread.sleep(SETTLE.toMillis());
        assertThat(reloads.get()).isEqualTo(1);
    }

    @Test
    void replaceByRenameReloads() throws Exception {
        Path tmp = dir.resolve(".switchboard.yaml.swp");
        Files.writeString(tmp, "version: 2\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        awaitReloads(1);
    }

    @Test
    void touchUnchangedRewriteAndOtherFilesDoNotReload() throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
        Files.writeString(file, "version: 0\n");
        Files.writeString(dir.resolve("access.log"), "a line\n");
        Thread.sleep(SETTLE.toMillis());
        assertThat(reloads.get()).isZero();
        Files.writeString(file, "version: 3\n");
        awaitReloads(1);
    }

    @Test
    void switchedOffDoesNotReloadAndOnAgainDoes() throws Exception {
        enabled.set(false);
        Files.writeString(file, "version: 4\n");
        Thread.sleep(SETTLE.toMillis());
        assertThat(reloads.get()).isZero();
        enabled.set(true);
        Files.writeString(file, "version: 5\n");
        awaitReloads(1);
    }

    @Test
    void deletedFileKeepsTheConfigUntilItIsBack() throws Exception {
        Files.delete(file);
        Thread.sleep(SETTLE.toMillis());
        assertThat(reloads.get()).isZero();
        Files.writeString(file, "version: 0\n"); // the same content as before it went: still a reload, the file came back
        awaitReloads(1);
    }
}
