package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CPU busy of a control group from fixture files in the kernel's formats (v2 and v1). */
class CgroupCpuTest {
    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @Test
    void v2UsageOverTheQuota() throws Exception {
        Files.writeString(dir.resolve("cpu.max"), "50000 100000\n"); // half a CPU
        Files.writeString(dir.resolve("cpu.stat"), "usage_usec 1000000\nuser_usec 900000\nsystem_usec 100000\n");
        CgroupCpu cpu = new CgroupCpu(dir, clock::get);
        assertThat(CgroupCpu.readable(dir)).isTrue();
        assertThat(cpu.busy(4)).isNaN(); // one reading: no interval yet
        clock.addAndGet(1_000_000_000L);
        Files.writeString(dir.resolve("cpu.stat"), "usage_usec 1250000\nuser_usec 1100000\nsystem_usec 150000\n");
        assertThat(cpu.busy(4)).isCloseTo(0.5, within(1e-9)); // 0.25 s of CPU in 1 s, of 0.5 CPU allowed
    }

    @Test
    void v2WithoutAQuotaUsesTheHostsCpus() throws Exception {
        Files.writeString(dir.resolve("cpu.max"), "max 100000\n");
        Files.writeString(dir.resolve("cpu.stat"), "usage_usec 0\n");
        CgroupCpu cpu = new CgroupCpu(dir, clock::get);
        cpu.busy(2);
        clock.addAndGet(500_000_000L);
        Files.writeString(dir.resolve("cpu.stat"), "usage_usec 500000\n");
        assertThat(cpu.busy(2)).isCloseTo(0.5, within(1e-9)); // 0.5 s of CPU in 0.5 s, of 2 CPUs
    }

    @Test
    void v1CpuacctUsageInNanoseconds() throws Exception {
        Files.writeString(dir.resolve("cpuacct.usage"), "3000000000\n");
        CgroupCpu cpu = new CgroupCpu(dir, clock::get);
        cpu.busy(2);
        clock.addAndGet(1_000_000_000L);
        Files.writeString(dir.resolve("cpuacct.usage"), "5000000000\n");
        assertThat(cpu.busy(2)).isEqualTo(1.0); // 2 s of CPU in 1 s: both CPUs
    }

    @Test
    void unreadableOrMalformedIsUnknown() throws Exception {
        CgroupCpu missing = new CgroupCpu(dir.resolve("nope"), clock::get);
        assertThat(CgroupCpu.readable(dir.resolve("nope"))).isFalse();
        assertThat(missing.busy(2)).isNaN();
        Files.writeString(dir.resolve("cpuacct.usage"), "garbage\n");
        CgroupCpu bad = new CgroupCpu(dir, clock::get);
        bad.busy(2);
        clock.addAndGet(1_000_000_000L);
        assertThat(bad.busy(2)).isNaN();
    }
}
