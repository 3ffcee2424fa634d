package io.switchboard.app;

import io.switchboard.sim.Report;
import io.switchboard.sim.RunResult;
import io.switchboard.sim.Scenario;
import io.switchboard.sim.Simulator;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard simulate -c SCENARIO}: runs a simulator scenario over the real balancing code
 * and writes what it measured. Progress goes to stderr (a bar on a terminal, a line every few
 * seconds otherwise), the summary table to stdout, CSV files and charts to the out directory.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        header = "Simulate a scenario with the real balancing code on a simulated clock: thousands of servers on one machine.",
        description = {"",
                "Runs each algorithm the scenario names through Switchboard's own pool, pickers, dispatch, health and load"
                        + " feedback, with simulated clients and servers. Seeded and deterministic: the same scenario and seed"
                        + " give the same figures. Prints a summary table and writes summary.csv, a time series per run"
                        + " (series-*.csv) and charts (PNG and SVG) to the out directory.",
                "",
                "Shipped scenarios, usable by name: balls-into-bins, slow-server, stale-load, lard, ncsa. Format: docs/simulator.md."})
final class SimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--scenario"}, required = true, paramLabel = "FILE",
            description = "The scenario file (YAML), or the name of a shipped scenario.")
    Path scenarioFile;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for this run instead of the scenario's own.")
    Long seed;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where to write CSV files and charts (default: simulation-<scenario name>).")
    Path out;

    @Option(names = "--sweep",
            description = "Run the scenario's parameter sweep (its 'sweep:' section), one run per value and algorithm, on all cores."
                    + " Without it, the scenario runs once with the values the file gives.")
    boolean sweep;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Scenario scenario;
        try {
            scenario = ScenarioLoader.load(scenarioFile);
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) err.println(p);
            err.println(LoadedConfig.count(e.problems().size(), "error") + " in " + scenarioFile);
            err.flush();
            return Main.EXIT_CONFIG;
        }
        if (sweep && scenario.sweep() == null) {
            err.println(scenarioFile + ": --sweep: the scenario has no 'sweep:' section; running it once");
        } else if (!sweep && scenario.sweep() != null) {
            err.println(scenarioFile + ": the scenario sweeps " + scenario.sweep().key() + " over " + scenario.sweep().values().size()
                    + " values; add --sweep to run them all");
        }
        Scenario toRun = sweep ? scenario : scenario.withoutSweep();
        long runSeed = seed == null ? scenario.seed() : seed;
        int runs = Simulator.plan(toRun, runSeed).size();
        int threads = sweep ? Runtime.getRuntime().availableProcessors() : 1;
        Progress progress = new Progress(err, runs, terminal());
        List<RunResult> results = Simulator.run(toRun, runSeed, threads, progress);
        progress.finish();
        stdout.print(Report.table(toRun, results));
        Path dir = out == null ? Path.of("simulation-" + scenario.name()) : out;
        try {
            List<Path> files = Report.write(toRun, results, dir);
            stdout.println();
            stdout.println("Wrote " + files.size() + " files to " + dir + " (seed " + runSeed + ")");
        } catch (IOException e) {
            err.println(dir + ": cannot write the results: " + e.getMessage());
            err.flush();
            stdout.flush();
            return Main.EXIT_FAILURE;
        }
        stdout.flush();
        err.flush();
        return Main.EXIT_OK;
    }

    /** Whether stderr is a terminal that a bar can be redrawn on (Console.isTerminal on JDK 22+). */
    private static boolean terminal() {
        Console c = System.console();
        if (c == null) return false;
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console exists only when attached to a terminal
        }
    }

    /**
     * Progress on stderr: a bar redrawn in place on a terminal; otherwise a line at most every few
     * seconds and at the end, so that logs of long sweeps stay short. Called from the runner's threads.
     */
    private static final class Progress implements Simulator.Progress {
        private static final long LINE_EVERY_NANOS = 5_000_000_000L;
        private static final long REDRAW_EVERY_NANOS = 100_000_000L;
        private final PrintWriter err;
        private final int total;
        private final boolean bar;
        private final long started = System.nanoTime();
        private long lastLine = started;
        private long lastDraw;
        private int runs;
        private double fraction;

        Progress(PrintWriter err, int total, boolean bar) {
            this.err = err;
            this.total = total;
            this.bar = bar;
            if (bar) draw();
        }

        @Override
        public synchronized void runsDone(int done, int all) {
            runs = done;
            show(done == total);
        }

        @Override
        public synchronized void fraction(double f) {
            if (f <= fraction) return;
            fraction = f;
            show(false);
        }

        private void show(boolean last) {
            long t = System.nanoTime();
            if (bar) {
                if (t - lastDraw >= REDRAW_EVERY_NANOS || last) {
                    lastDraw = t;
                    draw();
                }
            } else if (System.nanoTime() - lastLine >= LINE_EVERY_NANOS || last) {
                lastLine = System.nanoTime();
                err.println("simulate: " + runs + "/" + total + " runs done (" + percent() + "), " + seconds() + " s");
                err.flush();
            }
        }

        synchronized void finish() {
            if (bar) {
                err.println();
                err.flush();
            }
        }

        private void draw() {
            int width = 30;
            int filled = (int) Math.min(width, Math.round(fraction * width));
            err.print("\r[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + percent() + "  " + runs + "/" + total + " runs, "
                    + seconds() + " s");
            err.flush();
        }

        private String percent() {
            return String.format(Locale.ROOT, "%3.0f%%", fraction * 100);
        }

        private String seconds() {
            return String.format(Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9);
        }
    }
}
