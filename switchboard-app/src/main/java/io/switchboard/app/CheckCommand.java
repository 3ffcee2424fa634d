package io.switchboard.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard check -c FILE}: validate without starting anything, for CI and before a reload. */
@Command(name = "check", mixinStandardHelpOptions = true,
        header = "Validate a configuration file: print a summary, or every error in it.",
        description = {"",
                "Nothing is started and no port is opened. Exits with 0 when the file is valid, 2 when it is not.",
                "",
                "An environment variable the file names (admin.token-env) that is not set here is a warning, not an"
                        + " error: the file may be checked where its secrets are not set. run refuses to start without it."})
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "switchboard.yaml",
            description = "The YAML configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            LoadedConfig loaded = ConfigLoader.load(config, ConfigLoader.Purpose.CHECK);
            for (ConfigProblem w : loaded.warnings()) err.println(w);
            out.println("OK: " + loaded.summary());
            out.flush();
            err.flush();
            return Main.EXIT_OK;
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) err.println(p);
            err.println(LoadedConfig.count(e.problems().size(), "error") + " in " + config);
            err.flush();
            return Main.EXIT_CONFIG;
        }
    }
}
