package io.switchboard.agent;

/**
 * The figures the agent takes from {@code /proc/stat} (proc(5)): the aggregate {@code cpu} line's
 * jiffies, the number of {@code cpuN} lines (CPUs online) and {@code procs_running}. Any figure the
 * text does not hold, or holds malformed, is -1.
 *
 * <p>CPU busy over an interval is {@code 1 - Δidle / Δtotal} between two readings, where total is
 * user + nice + system + idle + iowait + irq + softirq + steal (guest time is already counted in
 * user and nice, so it is left out) and idle is idle + iowait (a CPU waiting for I/O could run
 * another task).
 *
 * @param totalJiffies all time of all CPUs since boot, -1 unknown
 * @param idleJiffies  idle + iowait of all CPUs since boot, -1 unknown
 * @param cpus         {@code cpuN} lines, -1 when none
 * @param procsRunning runnable tasks, -1 unknown
 */
record ProcStat(long totalJiffies, long idleJiffies, int cpus, int procsRunning) {
    /** Fields of the cpu line counted in the total: user nice system idle iowait irq softirq steal. */
    private static final int COUNTED = 8;

    static ProcStat parse(byte[] b, int len) {
        long total = -1;
        long idle = -1;
        int at = Ascii.afterLinePrefix(b, len, "cpu ");
        if (at >= 0) {
            int[] end = new int[1];
            long sum = 0;
            long idleSum = 0;
            int fields = 0;
            int i = at;
            while (fields < COUNTED) {
                long v = Ascii.number(b, i, len, end);
                if (v == Ascii.NONE) break;
                sum += v;
                if (fields == 3 || fields == 4) idleSum += v;
                fields++;
                i = end[0];
            }
            // Kernels before 2.6.11 lack steal, before 2.6 iowait/irq/softirq; four fields is the least there ever was.
            if (fields >= 4 && (i >= len || b[i] == ' ' || b[i] == '\n')) {
                total = sum;
                idle = idleSum;
            }
        }
        int cpus = 0;
        for (int i = 0; i < len; i = Ascii.nextLine(b, i, len)) {
            if (Ascii.startsWith(b, i, len, "cpu") && i + 3 < len && b[i + 3] >= '0' && b[i + 3] <= '9') cpus++;
        }
        int running = -1;
        int p = Ascii.afterLinePrefix(b, len, "procs_running ");
        if (p >= 0) {
            long v = Ascii.number(b, p, len, new int[1]);
            if (v != Ascii.NONE && v <= Integer.MAX_VALUE) running = (int) v;
        }
        return new ProcStat(total, idle, cpus == 0 ? -1 : cpus, running);
    }

    /**
     * CPU busy from {@code earlier} to this reading, 0..1; NaN when either is unknown or no time
     * passed (two readings within one jiffy) or the counters went backwards.
     */
    double busySince(ProcStat earlier) {
        if (totalJiffies < 0 || earlier.totalJiffies < 0) return Double.NaN;
        long dt = totalJiffies - earlier.totalJiffies;
        long di = idleJiffies - earlier.idleJiffies;
        if (dt <= 0 || di < 0) return Double.NaN;
        return Math.clamp(1.0 - (double) di / dt, 0.0, 1.0);
    }
}
