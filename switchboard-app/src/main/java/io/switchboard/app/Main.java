package io.switchboard.app;

import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code switchboard} command line: {@code run}, {@code check}, {@code demo}, {@code agent}, {@code simulate}, {@code dsr}.
 *
 * <p>Exit codes: 0 success; 1 the dispatcher failed (e.g. a port was taken); 2 the config or the
 * command line is wrong (picocli also uses 2 for usage errors, so scripts need one test for "fix your
 * input").
 */
@Command(name = "switchboard",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "A load-balancing HTTP dispatcher: one address in front, a pool of back ends behind it.",
        subcommands = {RunCommand.class, CheckCommand.class, DemoCommand.class, AgentCommand.class, SimulateCommand.class, DsrCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success", "  1  the dispatcher failed (e.g. a port is already in use)", "  2  invalid configuration or command line",
                "", "Configuration reference: docs/configuration.md"})
public final class Main implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_CONFIG = 2;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("Missing command: run, check, demo, agent or simulate");
        spec.commandLine().usage(err);
        err.flush();
        return EXIT_CONFIG;
    }

    public static void main(String[] args) {
        // Netty samples one buffer in 128 for leak tracking by default, recording a stack trace each
        // time: measurable CPU at tens of thousands of requests per second. Off in production unless
        // asked for (-Dio.netty.leakDetection.level=simple|advanced|paranoid); the test suite keeps it on.
        // Netty's allocator emits JDK Flight Recorder events when JFR is present; initialising the event
        // classes costs about 70 ms of the start (measured with async-profiler) for events nobody records
        // unless a recording runs. Off unless asked for (-Dio.netty.jfr.enabled=true). Set before any
        // Netty class initialises.
        if (System.getProperty("io.netty.jfr.enabled") == null) System.setProperty("io.netty.jfr.enabled", "false");
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        Path plainRun = RunCommand.plainRun(args);
        if (plainRun != null) {
            int code;
            try {
                code = RunCommand.run(plainRun, new PrintWriter(System.err, true));
            } catch (InterruptedException e) {
                code = EXIT_FAILURE;
            } catch (RuntimeException e) {
                // as picocli's execute would: the stack trace, and the dispatcher failed
                e.printStackTrace();
                code = EXIT_FAILURE;
            }
            System.exit(code);
        }
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@link #main} runs it; tests call {@code execute} on it in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setUsageHelpAutoWidth(true);
        // a wrong command line is the user's input to fix, like a wrong config: 2, as picocli's own
        // default; anything a command throws is a failure of the dispatcher: 1
        cl.setExitCodeExceptionMapper(e -> e instanceof ParameterException ? EXIT_CONFIG : EXIT_FAILURE);
        return cl;
    }

    /** The jar manifest's Implementation-Version; "dev" when run from classes (IDE, tests). */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * The commit the build came from, e.g. "commit 0123456789ab" or "commit 0123456789ab, modified" when the
     * work tree had changes; "unknown commit" when it was built without git (a source tarball). The build
     * writes build-commit.properties with git rev-parse (the build-commit execution in this module's pom).
     */
    static String commit() {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("build-commit.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            return "unknown commit";
        }
        String id = p.getProperty("git.commit.id.abbrev", "").strip();
        if (id.isEmpty()) return "unknown commit";
        return "commit " + id + ("true".equals(p.getProperty("git.dirty")) ? ", modified" : "");
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"switchboard " + version() + " (" + commit() + ")",
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
