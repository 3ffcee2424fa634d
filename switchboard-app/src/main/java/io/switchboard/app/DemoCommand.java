package io.switchboard.app;

import io.switchboard.balance.Algorithms;
import io.switchboard.config.DurationSyntax;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard demo}: see it balance in ten seconds, no config needed. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Run demo back ends on loopback with a dispatcher in front of them; no file needed.",
        description = {"",
                "Starts demo back ends (alpha, bravo, charlie, ...) on 127.0.0.1 and a dispatcher in front of them on"
                        + " 127.0.0.1:PORT, with HTTP health checks on /health. Each back end answers with its own name."
                        + " The admin API, a live dashboard and Prometheus metrics run on 127.0.0.1:ADMIN-PORT; the demo"
                        + " prints their URL and a fresh admin token. Ctrl-C stops."})
final class DemoCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
            description = "Port of the dispatcher on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--backends", defaultValue = "3", paramLabel = "N",
            description = "How many back ends, 1-26 (default: ${DEFAULT-VALUE}).")
    int backends;

    @Option(names = "--latency", defaultValue = "0", paramLabel = "DURATION",
            description = "Delay before each back end answers, e.g. 20ms or 1.5s, as durations are written in the config"
                    + " file (default: ${DEFAULT-VALUE}).")
    String latency;

    @Option(names = "--failure-rate", defaultValue = "0.0", paramLabel = "RATE",
            description = "Fraction of requests a back end answers with 500, 0.0-1.0; with --failing, only the back ends"
                    + " named there (default: ${DEFAULT-VALUE}).")
    double failureRate;

    @Option(names = "--failing", split = ",", paramLabel = "NAME",
            description = "Back ends that fail, e.g. bravo or bravo,charlie: every request (500) and their health checks"
                    + " (503), so that the dispatcher takes them down; with --failure-rate, only that fraction of their"
                    + " requests. The others never fail.")
    List<String> failing = new ArrayList<>();

    @Option(names = "--slow", split = ",", paramLabel = "NAME=DURATION",
            description = "A back end that answers after its own delay instead of --latency, e.g. charlie=300ms;"
                    + " repeat it or separate with commas. A delay of the health checks' timeout (1s) or more fails its"
                    + " health checks too.")
    List<String> slow = new ArrayList<>();

    @Option(names = "--admin-port", defaultValue = "9000", paramLabel = "PORT",
            description = "Port of the admin API, dashboard and /metrics on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--access-log-format", defaultValue = "combined", paramLabel = "FORMAT",
            description = "Access log lines on standard output: combined, json or switchboard (default: ${DEFAULT-VALUE}).")
    String accessLogFormat;

    @Option(names = "--algorithm", defaultValue = "round-robin", paramLabel = "NAME", completionCandidates = AlgorithmNames.class,
            description = "Balancing algorithm: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String algorithm;

    static final class AlgorithmNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Algorithms.names().iterator();
        }
    }

    /** {@code NAME=DURATION} items in the order given; durations as the config file writes them. */
    static Map<String, Duration> delays(List<String> items) {
        Map<String, Duration> delays = new LinkedHashMap<>();
        for (String item : items) {
            int eq = item.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--slow: '" + item + "' is not NAME=DURATION (e.g. --slow bravo=300ms)");
            String name = item.substring(0, eq).strip();
            Duration delay;
            try {
                delay = DurationSyntax.parse(item.substring(eq + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--slow " + name + ": " + e.getMessage(), e);
            }
            Duration before = delays.putIfAbsent(name, delay);
            if (before != null) {
                throw new IllegalArgumentException("--slow: " + name + " is given twice (" + DurationSyntax.format(before) + " and "
                        + DurationSyntax.format(delay) + ")");
            }
        }
        return delays;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Demo.Options options;
        try {
            long latencyMillis;
            try {
                latencyMillis = DurationSyntax.parse(latency).toMillis();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--latency: " + e.getMessage(), e);
            }
            options = new Demo.Options(port, backends, latencyMillis, failureRate, algorithm, "stdout", adminPort, accessLogFormat,
                    failing, delays(slow));
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.flush();
            return Main.EXIT_CONFIG;
        }
        Demo demo;
        try {
            demo = Demo.start(options);
        } catch (ConfigException e) {
            // the embedded template is ours: this is a bug, but say precisely what is wrong
            for (ConfigProblem p : e.problems()) err.println(p);
            err.flush();
            return Main.EXIT_FAILURE;
        } catch (IOException | IllegalStateException e) {
            log.error("demo not started: {}", e.getMessage());
            return Main.EXIT_FAILURE;
        }
        ProcessSignals signals = ProcessSignals.install(null);
        PrintWriter out = spec.commandLine().getOut();
        out.println(demo.instructions());
        out.flush();
        try {
            signals.awaitStop();
        } finally {
            demo.shutdownGracefully();
        }
        return Main.EXIT_OK;
    }
}
