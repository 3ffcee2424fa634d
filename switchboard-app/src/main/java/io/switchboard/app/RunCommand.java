package io.switchboard.app;

import io.switchboard.config.SwitchboardConfig;
import java.io.IOException;
import java.io.PrintWriter;
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

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "switchboard.yaml",
            description = "The YAML configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        LoadedConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            PrintWriter err = spec.commandLine().getErr();
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
