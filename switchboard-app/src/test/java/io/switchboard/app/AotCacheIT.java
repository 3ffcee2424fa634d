package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's ahead-of-time cache (profile aot-cache, JDK 25+), as {@code ./switchboard} uses it:
 * taken with the launcher's own options, left out when it was made by another JDK or is older than
 * the jar, and refused by the JVM, which then starts without it, when it is damaged. Runs after
 * package (tag "packaged"), on the jar and cache the build just made.
 */
@Tag("packaged")
class AotCacheIT {
    private static final Path MODULE = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    private static final Path LAUNCHER = MODULE.getParent().resolve("switchboard");
    private static final Path JAR = MODULE.resolve("target/switchboard.jar");
    private static final Path CACHE = MODULE.resolve("target/switchboard.aot");
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @BeforeAll
    static void theBuildMadeACache() {
        assumeTrue(Runtime.version().feature() >= 25, "the AOT cache needs JDK 25+; this build runs " + Runtime.version());
        assertThat(JAR).as("package made the jar").isRegularFile();
        assertThat(CACHE).as("the aot-cache profile made the cache").isRegularFile();
        assertThat(CACHE.resolveSibling("switchboard.aot.jdk")).as("with its stamp").isRegularFile();
    }

    record Run(int exit, String output) {}

    private static Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("SWITCHBOARD_JAVA_OPTS");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not exit within 60 s: " + command);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The JVM reports on the cache it was given: the launcher passes nothing else through JDK_JAVA_OPTIONS. */
    private static final Map<String, String> AOT_LOG = Map.of("JDK_JAVA_OPTIONS", "-Xlog:aot=info");

    @Test
    void theLauncherStartsWithTheBuildsCache() throws Exception {
        Run r = run(List.of(LAUNCHER.toString(), "--version"), AOT_LOG);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("Opened AOT cache " + CACHE).doesNotContain("[error").contains("switchboard ");
    }

    /** A copy of the launcher with the jar and a cache of our own, so the build's own files stay as they are. */
    private static Path launcherTree(Path dir, String stamp) throws IOException {
        Path target = Files.createDirectories(dir.resolve("switchboard-app/target"));
        Files.copy(LAUNCHER, dir.resolve("switchboard"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(JAR, target.resolve("switchboard.jar"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(CACHE, target.resolve("switchboard.aot"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.writeString(target.resolve("switchboard.aot.jdk"), stamp);
        return dir.resolve("switchboard");
    }

    @Test
    void aCacheMadeByAnotherJdkIsLeftOutAndTheStartIsClean(@TempDir Path dir) throws Exception {
        String ours = Files.readString(CACHE.resolveSibling("switchboard.aot.jdk"));
        Path launcher = launcherTree(dir.resolve("ours"), ours);
        Run control = run(List.of(launcher.toString(), "--version"), AOT_LOG);
        assertThat(control.output()).as("the copy with the right stamp uses its cache").contains("Opened AOT cache");

        Path other = launcherTree(dir.resolve("other"), "/usr/lib/jvm/some-other-jdk\nJAVA_RUNTIME_VERSION=\"25.0.1+8\"\n");
        Run r = run(List.of(other.toString(), "--version"), AOT_LOG);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("switchboard ").doesNotContain("AOT cache").doesNotContain("[error");
    }

    @Test
    void aCacheOlderThanTheJarIsLeftOut(@TempDir Path dir) throws Exception {
        Path launcher = launcherTree(dir, Files.readString(CACHE.resolveSibling("switchboard.aot.jdk")));
        Path target = dir.resolve("switchboard-app/target");
        Files.setLastModifiedTime(target.resolve("switchboard.jar"),
                FileTime.fromMillis(Files.getLastModifiedTime(target.resolve("switchboard.aot")).toMillis() + 60_000));
        Run r = run(List.of(launcher.toString(), "--version"), AOT_LOG);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("switchboard ").doesNotContain("AOT cache");
    }

    /** The launcher's default options, as the cache was made with them. */
    private static List<String> javaWith(Path cache, String... more) {
        List<String> cmd = new ArrayList<>(List.of(JAVA.toString(), "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-Xmn24m", "-XX:+UseCompactObjectHeaders", "-XX:AOTCache=" + cache, "-XX:+UnlockDiagnosticVMOptions",
                "-XX:-AOTReplayTraining"));
        cmd.addAll(List.of(more));
        cmd.addAll(List.of("-jar", JAR.toString(), "--version"));
        return cmd;
    }

    @Test
    void aTruncatedCacheIsRefusedAndTheJvmStartsWithoutIt(@TempDir Path dir) throws Exception {
        Path cut = dir.resolve("cut.aot");
        byte[] head = new byte[1 << 20];
        try (var in = Files.newInputStream(CACHE)) {
            in.readNBytes(head, 0, head.length);
        }
        Files.write(cut, head);
        Run r = run(javaWith(cut), Map.of());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("truncated").contains("switchboard ");
    }

    @Test
    void aCacheDamagedInsideIsCaughtByItsChecksumsWhenAskedAndTheJvmStartsWithoutIt(@TempDir Path dir) throws Exception {
        Path damaged = dir.resolve("damaged.aot");
        Files.copy(CACHE, damaged);
        try (var ch = FileChannel.open(damaged, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}), Files.size(damaged) / 2);
        }
        Run r = run(javaWith(damaged, "-XX:+VerifySharedSpaces"), Map.of());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("Checksum verification failed").contains("switchboard ");
    }

    @Test
    void aCacheMadeWithOtherJvmOptionsIsRefusedAndTheJvmStartsWithoutIt() throws Exception {
        List<String> other = new ArrayList<>(javaWith(CACHE));
        other.set(other.indexOf("-XX:+UseSerialGC"), "-XX:+UseParallelGC");
        other.remove("-XX:+UseCompactObjectHeaders");
        Run r = run(other, Map.of());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("switchboard ");
    }
}
