package io.switchboard.cluster.vip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs {@link VipHolder}'s commands as real processes, each optionally behind a fixed prefix (tests
 * run them in a network namespace with {@code ip netns exec <name>}). A command that runs longer than
 * five seconds is killed and reported as failed.
 *
 * <p>Threading: stateless; safe from any thread.
 */
final class ProcessCommands implements VipHolder.Commands {
    private static final long TIMEOUT_SECONDS = 5;
    /** A spawned command (one gratuitous ARP: arping waits a second for answers) gets longer. */
    private static final long SPAWN_TIMEOUT_SECONDS = 10;
    private final List<String> prefix;

    ProcessCommands(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    @Override
    public VipHolder.Outcome run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(full(argv)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        // Wait first, read after: the output of ip and arping fits in the pipe, and a hung command cannot block the read.
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new VipHolder.Outcome(-1, "did not finish within " + TIMEOUT_SECONDS + " s");
        }
        return new VipHolder.Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Override
    public void spawn(List<String> argv, Consumer<String> onFailure) {
        Process p;
        try {
            p = new ProcessBuilder(full(argv)).redirectErrorStream(true).start();
            p.getOutputStream().close();
        } catch (IOException e) {
            onFailure.accept(String.valueOf(e.getMessage()));
            return;
        }
        Thread.ofVirtual().name("cluster-garp").start(() -> {
            try {
                if (!p.waitFor(SPAWN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    onFailure.accept(String.join(" ", argv) + " did not finish within " + SPAWN_TIMEOUT_SECONDS + " s");
                } else if (p.exitValue() != 0) {
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    onFailure.accept(String.join(" ", argv) + " exited with " + p.exitValue() + ": " + out.strip());
                }
            } catch (IOException e) {
                onFailure.accept(String.valueOf(e.getMessage()));
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        });
    }

    private List<String> full(List<String> argv) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(argv);
        return all;
    }
}
