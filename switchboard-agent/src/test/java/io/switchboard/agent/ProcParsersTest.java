package io.switchboard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The /proc parsers on fixture texts in the kernel's formats (proc(5)), and on malformed ones. */
class ProcParsersTest {
    static final String STAT = """
            cpu  2179061 351 727329 1427844 775797 0 283056 73814 0 0
            cpu0 1079659 146 362004 720869 392700 0 140572 37716 0 0
            cpu1 1099402 204 365325 706975 383096 0 142483 36098 0 0
            intr 319716532 0 9 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
            ctxt 642393829
            btime 1764760000
            processes 10712
            procs_running 7
            procs_blocked 2
            softirq 150036221 0 28474939 12 19337524 0 0 2 53113178 0 49110566
            """;

    @Test
    void procStatTakesTheCpuLineTheCpuCountAndRunnableTasks() {
        ProcStat s = parseStat(STAT);
        // user nice system idle iowait irq softirq steal; guest and guest_nice are inside user and nice
        assertThat(s.totalJiffies()).isEqualTo(2179061L + 351 + 727329 + 1427844 + 775797 + 0 + 283056 + 73814);
        assertThat(s.idleJiffies()).isEqualTo(1427844L + 775797);
        assertThat(s.cpus()).isEqualTo(2);
        assertThat(s.procsRunning()).isEqualTo(7);
    }

    @Test
    void cpuBusyIsOneMinusIdleOverTotalBetweenTwoReadings() {
        ProcStat a = parseStat("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 1 1 1\n");
        ProcStat b = parseStat("cpu  400 0 200 1000 100 0 0 0 0 0\ncpu0 1 1 1 1\n");
        // Δtotal = (400+200+1000+100) - (100+100+700+100) = 700; Δidle = (1000+100) - (700+100) = 300
        assertThat(b.busySince(a)).isCloseTo(1 - 300.0 / 700, offset(1e-9));
        assertThat(a.busySince(a)).as("no time passed").isNaN();
        assertThat(a.busySince(b)).as("counters went backwards").isNaN();
    }

    @Test
    void malformedOrMissingStatFiguresAreUnknown() {
        assertThat(parseStat("")).isEqualTo(new ProcStat(-1, -1, -1, -1));
        assertThat(parseStat("cpu  12 x 3 4\nprocs_running many\n")).isEqualTo(new ProcStat(-1, -1, -1, -1));
        assertThat(parseStat("cpu  1 2 3\n").totalJiffies()).as("fewer than four fields").isEqualTo(-1);
        assertThat(parseStat("cpu  1 2 3 4\n").totalJiffies()).as("the oldest format").isEqualTo(10);
        assertThat(parseStat("cpu  99999999999999999999 1 1 1\n").totalJiffies()).as("overflow").isEqualTo(-1);
        assertThat(parseStat("cpux 1 2 3 4\n")).as("not the cpu line").isEqualTo(new ProcStat(-1, -1, -1, -1));
        ProcStat cut = parseStat("cpu  2179061 351 727329 1427844 775797 0 283056 73814 0 0\ncpu0 1079659 146");
        assertThat(cut.cpus()).as("a file cut short still counts what it has").isEqualTo(1);
        assertThat(cut.procsRunning()).isEqualTo(-1);
    }

    @Test
    void loadAverageIsTheFirstField() {
        assertThat(load1("3.87 2.92 2.24 5/156 10710\n")).isEqualTo(3.87, offset(1e-9));
        assertThat(load1("0.00 0.01 0.05 1/80 11206\n")).isZero();
        assertThat(load1("12 1 1 1/1 1\n")).isEqualTo(12.0);
        assertThat(load1("")).isNaN();
        assertThat(load1("high 2.92 2.24\n")).isNaN();
        assertThat(load1("3. 2.92\n")).isNaN();
        assertThat(load1("3.8x 2.92\n")).isNaN();
        assertThat(load1("-1.0 2.92\n")).isNaN();
    }

    @Test
    void memAvailableIsInKibibytes() {
        String meminfo = """
                MemTotal:       24683568 kB
                MemFree:        23384096 kB
                MemAvailable:   23782532 kB
                Buffers:           11840 kB
                """;
        assertThat(mem(meminfo)).isEqualTo(23782532L * 1024);
        assertThat(mem("MemTotal:       24683568 kB\nMemFree:        23384096 kB\n")).as("kernel before 3.14").isEqualTo(-1);
        assertThat(mem("MemAvailable:   lots kB\n")).isEqualTo(-1);
        assertThat(mem("MemAvailable:   23782532 MB\n")).as("an unknown unit").isEqualTo(-1);
        assertThat(mem("MemAvailable:   23782532")).as("cut short").isEqualTo(-1);
    }

    static final String TCP = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1653 1 000000009851802a 100 0 0 10 0
               1: 0100007F:1F90 0100007F:A2C4 01 00000000:00000000 00:00000000 00000000  1000        0 27175068 1 00000000b72abb0f 20 4 30 10 -1
               2: 0100007F:A2C4 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 27175069 1 00000000b72abb10 20 4 30 10 -1
               3: 0100007F:A2C6 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 00000000b72abb11
               4: 0100007F:A2C8 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 27175070 1 00000000b72abb12 20 4 30 10 -1
            """;

    @Test
    void establishedConnectionsAreLinesInState01() {
        assertThat(established(TCP, TCP.length())).isEqualTo(3);
        for (int chunk : new int[] {1, 2, 3, 7, 64}) {
            assertThat(established(TCP, chunk)).as("fed in chunks of " + chunk).isEqualTo(3);
        }
        String tcp6 = """
                  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0000000000000000FFFF00000100007F:47D8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 27171627 1 00000000101a867a 100 0 0 10 0
                   1: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D0E2 01 00000000:00000000 00:00000000 00000000     0        0 27171630 1 00000000101a867b 20 4 30 10 -1
                """;
        assertThat(established(tcp6, 5)).isEqualTo(1);
    }

    @Test
    void malformedTcpLinesAreNotCounted() {
        String header = "  sl  local_address rem_address   st tx_queue\n";
        assertThat(established("", 8)).isZero();
        assertThat(established("   1: 0100007F:1F90 0100007F:A2C4 01 0\n", 8)).as("no header: the first line is the header").isZero();
        assertThat(established(header + "   1: 0100007F:1F90 0100007F:A2C4\n", 8)).as("no state field").isZero();
        assertThat(established(header + "   1: 0100007F:1F90 0100007F:A2C4 010 0\n", 8)).as("a three-digit state").isZero();
        assertThat(established(header + "   1: 0100007F:1F90 0100007F:A2C4 0 0\n", 8)).isZero();
        assertThat(established(header + "   1: 0100007F:1F90 0100007F:A2C4 11 0\n", 8)).isZero();
        assertThat(established(header + "   1: 0100007F:1F90 0100007F:A2C4 01", 8)).as("a last line without newline").isEqualTo(1);
        assertThat(established(header + "\n\n   1: a b 01 x\n", 3)).as("blank lines").isEqualTo(1);
    }

    private static ProcStat parseStat(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return ProcStat.parse(b, b.length);
    }

    private static double load1(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return LoadAvg.load1(b, b.length);
    }

    private static long mem(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return MemInfo.availableBytes(b, b.length);
    }

    private static int established(String s, int chunk) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        TcpTable t = new TcpTable();
        for (int off = 0; off < b.length; off += chunk) t.feed(b, off, Math.min(chunk, b.length - off));
        return t.established();
    }
}
