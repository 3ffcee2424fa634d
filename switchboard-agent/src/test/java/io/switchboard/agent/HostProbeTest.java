package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HostProbe over a directory of fixture files laid out as /proc is. */
class HostProbeTest {
    @TempDir
    Path proc;

    @Test
    void measuresEachFileAndCpuBusyBetweenMeasurements() throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("stat"), "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 1 1 1\ncpu1 1 1 1 1\nprocs_running 3\n");
        Files.writeString(proc.resolve("loadavg"), "0.50 0.40 0.30 3/120 999\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal: 2048 kB\nMemAvailable: 1024 kB\n");
        Files.writeString(proc.resolve("net/tcp"), ProcParsersTest.TCP);
        // a table larger than the probe's buffer, streamed through it
        StringBuilder big = new StringBuilder("  sl  local_address rem_address   st tx_queue\n");
        for (int i = 0; i < 2000; i++) big.append(String.format("%4d: 0100007F:1F90 0100007F:%04X 01 00000000:00000000 00:00000000 00000000  1000        0 %d 1%n", i, i, 100 + i));
        Files.writeString(proc.resolve("net/tcp6"), big);
        HostProbe probe = new HostProbe(proc);

        HostProbe.Sample first = probe.measure();
        assertThat(first.cpuBusy()).as("one reading has no interval").isNaN();
        assertThat(first.load1()).isEqualTo(0.5, offset(1e-9));
        assertThat(first.cpus()).isEqualTo(2);
        assertThat(first.runnable()).isEqualTo(3);
        assertThat(first.memAvailable()).isEqualTo(1024L * 1024);
        assertThat(first.tcpConnections()).isEqualTo(3 + 2000);

        Files.writeString(proc.resolve("stat"), "cpu  400 0 200 1000 100 0 0 0 0 0\ncpu0 1 1 1 1\ncpu1 1 1 1 1\nprocs_running 1\n");
        HostProbe.Sample second = probe.measure();
        assertThat(second.cpuBusy()).isEqualTo(1 - 300.0 / 700, offset(1e-9));
        assertThat(second.runnable()).isEqualTo(1);
    }

    @Test
    void missingFilesAreUnknownNotErrors() {
        HostProbe.Sample s = new HostProbe(proc.resolve("nothing-here")).measure();
        assertThat(s).isEqualTo(new HostProbe.Sample(Double.NaN, Double.NaN, -1, -1, -1, -1));
    }

    @Test
    void theRealProcGivesFiguresThatMakeSense() {
        HostProbe probe = new HostProbe(Path.of("/proc"));
        probe.measure();
        HostProbe.Sample s = probe.measure();
        assertThat(s.cpus()).isPositive();
        assertThat(s.memAvailable()).isPositive();
        assertThat(s.runnable()).isPositive(); // this thread
        assertThat(s.load1()).isNotNaN().isNotNegative();
        assertThat(s.tcpConnections()).isNotNegative();
    }
}
