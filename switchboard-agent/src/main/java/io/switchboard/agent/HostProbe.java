package io.switchboard.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Measures this host from {@code /proc}: CPU busy since the previous measurement, the 1-minute
 * load average, runnable tasks, memory available and established TCP connections. Each file is
 * read afresh (procfs makes its text at read time) into one buffer kept between measurements; the
 * TCP tables, which grow with connections, are counted as they stream through it.
 *
 * <p>A file that cannot be read or parsed gives "unknown" for its figures (-1, NaN), never an
 * error: an agent measures what its host lets it (a container may hide some of {@code /proc}).
 *
 * <p>Not thread-safe: the agent's one measuring thread.
 */
final class HostProbe {
    /** One measurement; unknown figures are -1 or NaN. */
    record Sample(double cpuBusy, double load1, int cpus, int runnable, long memAvailable, int tcpConnections) {
        Sample withCpuBusy(double busy) {
            return new Sample(busy, load1, cpus, runnable, memAvailable, tcpConnections);
        }
    }

    private final Path proc;
    private final TcpTable tcp = new TcpTable();
    private byte[] buf = new byte[16 * 1024];
    private int length;
    private ProcStat previous;

    /** @param proc the procfs mount, {@code /proc} (a directory of fixture files in tests) */
    HostProbe(Path proc) {
        this.proc = proc;
    }

    Sample measure() {
        ProcStat stat = readWhole("stat") ? ProcStat.parse(buf, length) : new ProcStat(-1, -1, -1, -1);
        double busy = previous == null ? Double.NaN : stat.busySince(previous);
        if (stat.totalJiffies() >= 0) previous = stat;
        double load1 = readWhole("loadavg") ? LoadAvg.load1(buf, length) : Double.NaN;
        long mem = readWhole("meminfo") ? MemInfo.availableBytes(buf, length) : -1;
        int v4 = established("net/tcp");
        int v6 = established("net/tcp6");
        int connections = v4 < 0 && v6 < 0 ? -1 : Math.max(v4, 0) + Math.max(v6, 0);
        return new Sample(busy, load1, stat.cpus(), stat.procsRunning(), mem, connections);
    }

    /** Reads the whole file into {@link #buf} (growing it), setting {@link #length}; false when it cannot be read. */
    private boolean readWhole(String name) {
        try (FileChannel ch = FileChannel.open(proc.resolve(name), StandardOpenOption.READ)) {
            int n = 0;
            while (true) {
                if (n == buf.length) {
                    if (buf.length >= 16 * 1024 * 1024) return false; // not a /proc text this agent reads
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
                int r = ch.read(ByteBuffer.wrap(buf, n, buf.length - n));
                if (r < 0) break;
                n += r;
            }
            length = n;
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Established connections in one TCP table, streamed through {@link #buf}; -1 when it cannot be read. */
    private int established(String name) {
        tcp.reset();
        try (FileChannel ch = FileChannel.open(proc.resolve(name), StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(buf);
            while (true) {
                bb.clear();
                int r = ch.read(bb);
                if (r < 0) break;
                tcp.feed(buf, 0, r);
            }
            return tcp.established();
        } catch (IOException e) {
            return -1;
        }
    }
}
