package io.switchboard.app.dsr;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the {@code nft} command: a ruleset on its standard input ({@code nft -f -}, one kernel
 * transaction), or a listing. Its errors become {@link DsrException}s that quote nft's own message
 * and say what to do: nft missing, no permission, a rule the kernel refuses.
 *
 * <p>Threading: each call runs one process and waits for it (bounded); callable from any one thread
 * at a time per table (the service's own thread).
 */
public final class Nft {
    static final long TIMEOUT_SECONDS = 30;

    private final List<String> command;

    /** @param command how to run nft ({@code [nft]}; tests prefix it, e.g. to drop privileges) */
    public Nft(List<String> command) {
        this.command = List.copyOf(command);
    }

    public static Nft system() {
        return new Nft(List.of("nft"));
    }

    /** Applies {@code ruleset} as one transaction: all of it, or nothing. */
    public void apply(String ruleset) throws DsrException {
        run(List.of("-f", "-"), ruleset);
    }

    /** {@code nft list table netdev NAME}: the table as the kernel has it, with its counters. */
    public String list(String family, String table) throws DsrException {
        return run(List.of("list", "table", family, table), null);
    }

    private String run(List<String> args, String stdin) throws DsrException {
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new DsrException("cannot run " + command.getLast() + " (" + e.getMessage() + "): install nftables"
                    + " (Debian: apt-get install nftables)");
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // nft exited before reading all of it: its stderr says why
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new DsrException("nft did not finish within " + TIMEOUT_SECONDS + " s; nothing was applied");
            }
            String stderr = err.get(5, TimeUnit.SECONDS).strip();
            if (p.exitValue() != 0) throw new DsrException(explain(p.exitValue(), stderr));
            return out.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DsrException("interrupted while nft ran; nothing was applied");
        } catch (ExecutionException | TimeoutException e) {
            throw new DsrException("cannot read nft's output: " + e.getMessage());
        }
    }

    /** nft's own message, with what to do when the cause is known. */
    static String explain(int exit, String stderr) {
        String said = stderr.isEmpty() ? "no message" : stderr.replace("\n", " | ");
        if (stderr.contains("Operation not permitted")) {
            return "nft: " + said + ": writing nftables needs root or CAP_NET_ADMIN (this process runs as uid " + uid() + ")";
        }
        return "nft refused the table (exit " + exit + "): " + said;
    }

    private static String uid() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("Uid:")) return l.split("\\s+")[1];
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "?";
    }

    private static CompletableFuture<String> drain(InputStream s) {
        return CompletableFuture.supplyAsync(() -> {
            try (s) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                s.transferTo(b);
                return b.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
    }
}
