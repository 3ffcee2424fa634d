package io.switchboard.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * CPU busy of one control group instead of the whole host ({@code --cgroup DIR}): what a back end in
 * a container, or a server sharing its host, has used of what it may use. Reads, in {@code DIR}:
 * <ul>
 *   <li>cgroup v2: {@code cpu.stat}'s {@code usage_usec}, and {@code cpu.max} ("{@code quota period}",
 *       or "{@code max period}" for no limit);</li>
 *   <li>cgroup v1: {@code cpuacct.usage} (nanoseconds; the {@code cpuacct} controller's directory),
 *       with no quota read (v1 keeps it in the separate {@code cpu} controller).</li>
 * </ul>
 * Busy over an interval = CPU time used / (wall time × CPUs it may use): the quota where v2 sets one,
 * else the host's CPUs online. Clamped to 0..1; NaN until two readings, or when the files cannot be read.
 *
 * <p>Not thread-safe: the agent's one measuring thread.
 */
final class CgroupCpu {
    private final Path dir;
    private final LongSupplier nanoClock;
    private long lastUsageNanos = -1;
    private long lastWallNanos;

    CgroupCpu(Path dir, LongSupplier nanoClock) {
        this.dir = dir;
        this.nanoClock = nanoClock;
    }

    /** Whether {@code dir} is a cgroup this class can read (v2 {@code cpu.stat} or v1 {@code cpuacct.usage}). */
    static boolean readable(Path dir) {
        return Files.isReadable(dir.resolve("cpu.stat")) || Files.isReadable(dir.resolve("cpuacct.usage"));
    }

    /** @param hostCpus the host's CPUs online (the capacity when no quota is set); -1 unknown */
    double busy(int hostCpus) {
        long usage = usageNanos();
        long now = nanoClock.getAsLong();
        double capacity = quotaCpus();
        if (Double.isNaN(capacity)) capacity = hostCpus;
        double busy = Double.NaN;
        if (usage >= 0 && lastUsageNanos >= 0 && now > lastWallNanos && capacity > 0) {
            busy = Math.clamp((usage - lastUsageNanos) / ((now - lastWallNanos) * capacity), 0.0, 1.0);
        }
        if (usage >= 0) {
            lastUsageNanos = usage;
            lastWallNanos = now;
        }
        return busy;
    }

    /** CPU time the group has used, in nanoseconds; -1 when neither file can be read. */
    long usageNanos() {
        String stat = read("cpu.stat");
        if (stat != null) {
            for (String line : stat.split("\n")) {
                if (line.startsWith("usage_usec ")) return parse(line.substring(11)) * 1_000L;
            }
        }
        String v1 = read("cpuacct.usage");
        return v1 == null ? -1 : parse(v1);
    }

    /** The CPUs cgroup v2's {@code cpu.max} allows (quota / period); NaN when unlimited or unknown. */
    double quotaCpus() {
        String max = read("cpu.max");
        if (max == null) return Double.NaN;
        String[] f = max.strip().split(" ");
        if (f.length != 2 || f[0].equals("max")) return Double.NaN;
        long quota = parse(f[0]);
        long period = parse(f[1]);
        return quota > 0 && period > 0 ? (double) quota / period : Double.NaN;
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
