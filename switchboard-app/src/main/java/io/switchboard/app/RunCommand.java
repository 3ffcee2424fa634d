package io.switchboard.app;

import io.switchboard.config.SwitchboardConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard run -c FILE}: the service itself. */
@Command(name = "run", mixinStandardHelpOptions = true,
        header = "Start the dispatcher; SIGHUP reloads the file, SIGUSR1 reopens the access log, SIGTERM or Ctrl-C stops gracefully.",
        description = {"",
                "Runs until SIGTERM or SIGINT (Ctrl-C), then stops gracefully: stops accepting, lets requests in flight"
                        + " finish for up to shutdown-grace, and exits. A second signal stops at once.",
                "",
                "SIGHUP reloads the file, and so does saving it (unless watch-config: false): pools and servers change"
                        + " in place. On any error, every error is logged and the running configuration is kept. Changing"
                        + " listeners needs a restart.",
                "",
                "SIGUSR1 reopens the access log file (after log rotation has renamed it)."})
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    static final String DEFAULT_CONFIG = "switchboard.yaml";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = DEFAULT_CONFIG,
            description = "The YAML configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        return run(config, spec.commandLine().getErr());
    }

    /**
     * The config file of a command line that only says {@code run} and maybe its file ({@code -c FILE},
     * {@code --config FILE}, {@code --config=FILE}), as picocli would read it; null for any other
     * command line, which picocli parses. {@link Main#main} starts such a one without building
     * picocli's model of every command: that is 0.3 s of a start on this machine, in classes too old
     * (Java 5 bytecode) for the JDK's ahead-of-time cache. {@code RunCommandTest} checks that both
     * agree.
     */
    static Path plainRun(String[] args) {
        if (args.length == 0 || !args[0].equals("run")) return null;
        String file;
        if (args.length == 1) {
            file = DEFAULT_CONFIG;
        } else if (args.length == 3 && (args[1].equals("-c") || args[1].equals("--config"))) {
            file = args[2];
        } else if (args.length == 2 && args[1].startsWith("--config=")) {
            file = args[1].substring("--config=".length());
        } else {
            return null;
        }
        if (file.isEmpty() || file.startsWith("-") || file.startsWith("@")) return null;   // picocli's to judge
        try {
            return Path.of(file);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** Loads {@code config}, starts, and runs until a stop signal; the exit code. */
    static int run(Path config, PrintWriter err) throws InterruptedException {
        LoadedConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) err.println(p);
            err.println(LoadedConfig.count(e.problems().size(), "error") + " in " + config + "; not started");
            err.flush();
            return Main.EXIT_CONFIG;
        }
        for (ConfigProblem w : loaded.warnings()) log.warn("{}", w);
        SwitchboardConfig cfg = loaded.config();
        Switchboard switchboard;
        try {
            switchboard = Switchboard.start(cfg);
        } catch (IOException | IllegalStateException e) {
            log.error("not started: {}", e.getMessage());
            return Main.EXIT_FAILURE;
        }
        ProcessSignals signals = ProcessSignals.install(switchboard::reloadFromSource, switchboard::reopenLogs);
        ConfigWatcher watcher = null;
        try {
            watcher = ConfigWatcher.start(config, () -> switchboard.config().watchConfig(), switchboard::reloadFromSource);
        } catch (IOException | RuntimeException e) {
            if (cfg.watchConfig()) log.warn("cannot watch {} for changes ({}); SIGHUP still reloads it", config, e.toString());
        }
        log.info("ready (pid {}): {}; SIGTERM or Ctrl-C stops", ProcessHandle.current().pid(),
                cfg.watchConfig() ? "changes to " + config + " and SIGHUP reload it" : "SIGHUP reloads " + config);
        try {
            signals.awaitStop();
        } finally {
            if (watcher != null) watcher.close();
            switchboard.shutdownGracefully();
        }
        return Main.EXIT_OK;
    }
}
