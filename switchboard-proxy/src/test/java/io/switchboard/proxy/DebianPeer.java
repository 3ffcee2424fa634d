package io.switchboard.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real client or server from a Debian package (curl, nghttp, h2load), installed with apt-get when
 * missing. When it cannot be installed (no root, no mirror) the test is skipped with the reason, except
 * under CI ({@code CI=true}), where it fails: CI must run it.
 */
public final class DebianPeer {
    private DebianPeer() {}

    /**
     * Makes sure {@code binary} exists (in /usr/bin, or /usr/sbin for daemons such as haproxy and nginx),
     * installing {@code pkg} if it does not; returns its path.
     */
    public static synchronized Path require(String binary, String pkg) throws IOException, InterruptedException {
        Path p = Path.of("/usr/bin", binary);
        if (Files.isExecutable(p)) return p;
        Path daemon = Path.of("/usr/sbin", binary);
        if (Files.isExecutable(daemon)) return daemon;
        StringBuilder out = new StringBuilder();
        boolean ok = run(List.of("apt-get", "install", "-y", "--no-install-recommends", pkg), out)
                || run(List.of("apt-get", "update"), out) && run(List.of("apt-get", "install", "-y", "--no-install-recommends", pkg), out);
        if (ok && Files.isExecutable(p)) return p;
        if (ok && Files.isExecutable(daemon)) return daemon;
        String tail = out.length() > 2000 ? out.substring(out.length() - 2000) : out.toString();
        String why = "Debian package " + pkg + " (" + binary + ") is needed and could not be installed:\n" + tail;
        if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why);
        Assumptions.abort(why);
        return p;
    }

    /** Output (stdout and stderr) and exit status of a finished command. */
    public record Result(int exit, String output) {}

    /** Runs {@code cmd}, waiting at most {@code seconds}; the process is killed after that. */
    public static Result run(List<String> cmd, int seconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("peer", ".log");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, Files.readString(log, StandardCharsets.ISO_8859_1) + "\n(killed after " + seconds + " s)");
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static boolean run(List<String> cmd, StringBuilder out) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Path log = Files.createTempFile("apt", ".log");
        pb.redirectOutput(log.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            out.append(cmd).append(": ").append(e.getMessage()).append('\n');
            return false;
        }
        boolean finished = p.waitFor(10, TimeUnit.MINUTES);
        if (!finished) p.destroyForcibly();
        out.append(String.join(" ", cmd)).append(":\n").append(Files.readString(log, StandardCharsets.UTF_8));
        Files.deleteIfExists(log);
        return finished && p.exitValue() == 0;
    }
}
