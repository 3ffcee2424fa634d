package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** {@link RunCommand#plainRun}, the start path that skips picocli, reads a command line as picocli does. */
class RunCommandTest {

    /** The config file picocli's model of {@code run} reads from {@code args}. */
    private static Path picocliConfig(String... args) {
        CommandLine cl = Main.commandLine();
        ParseResult parsed = cl.parseArgs(args);
        return parsed.subcommand().commandSpec().findOption("--config").getValue();
    }

    @Test
    void theFormsItTakesReadTheSameFileAsPicocli() {
        List<String[]> forms = List.of(
                new String[] {"run"},
                new String[] {"run", "-c", "/etc/switchboard/switchboard.yaml"},
                new String[] {"run", "--config", "conf/a b.yaml"},
                new String[] {"run", "--config=relative.yaml"},
                new String[] {"run", "-c", "x=y.yaml"});
        for (String[] args : forms) {
            assertThat(RunCommand.plainRun(args)).as(String.join(" ", args)).isNotNull().isEqualTo(picocliConfig(args));
        }
    }

    @Test
    void everythingElseIsLeftToPicocli() {
        List<String[]> others = List.of(
                new String[] {},
                new String[] {"check", "-c", "a.yaml"},
                new String[] {"run", "--help"},
                new String[] {"run", "-h"},
                new String[] {"run", "-V"},
                new String[] {"run", "-c"},
                new String[] {"run", "-ca.yaml"},
                new String[] {"run", "-c", "a.yaml", "-c", "b.yaml"},
                new String[] {"run", "-c", "a.yaml", "extra"},
                new String[] {"run", "-c", "--help"},
                new String[] {"run", "-c", "@args.txt"},
                new String[] {"run", "--config="},
                new String[] {"run", "--conf", "a.yaml"},
                new String[] {"--version"},
                new String[] {"run", "-c", "a\0b"});
        for (String[] args : others) {
            assertThat(RunCommand.plainRun(args)).as(String.join(" ", args)).isNull();
        }
    }

    @Test
    void aBrokenFileIsReportedAndExits2OnThatPathToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "listeners: [\n");
        StringWriter err = new StringWriter();
        int code = RunCommand.run(RunCommand.plainRun(new String[] {"run", "-c", file.toString()}), new PrintWriter(err, true));
        assertThat(code).isEqualTo(Main.EXIT_CONFIG);
        assertThat(err.toString()).contains(file.toString()).contains("not started");
    }
}
