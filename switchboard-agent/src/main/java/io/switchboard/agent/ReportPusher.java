package io.switchboard.agent;

import io.switchboard.load.LoadReport;
import io.switchboard.load.ReportCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;

/**
 * Pushes each report as one {@link ReportCodec} datagram to every configured balancer. The
 * sequence starts from the agent's clock in microseconds when it starts and grows by one per
 * report, so it keeps increasing across restarts (as long as fewer than a million reports a
 * second were sent, which the 100 ms minimum interval guarantees) and the balancers'
 * {@code ReplayGuard} accepts a restarted agent at once.
 *
 * <p>Targets are resolved once, at start: a balancer that moves to another address needs the
 * agent restarted. A failed send is logged when the failure changes (not once per interval) and
 * never stops the agent: the balancer treats a silent agent as "no data".
 *
 * <p>Not thread-safe: the agent's one measuring thread.
 */
final class ReportPusher implements AutoCloseable {
    private static final System.Logger log = System.getLogger(ReportPusher.class.getName());

    private final String server;
    private final List<InetSocketAddress> targets;
    private final ReportCodec codec;
    private final DatagramChannel channel;
    private final String[] lastProblem;
    private long sequence;

    ReportPusher(String server, List<InetSocketAddress> targets, byte[] key, long startMicros) throws IOException {
        this.server = server;
        this.targets = List.copyOf(targets);
        this.codec = new ReportCodec(key);
        this.channel = DatagramChannel.open();
        this.lastProblem = new String[targets.size()];
        this.sequence = startMicros;
    }

    /** Sends {@code report} to every target; returns its sequence. */
    long push(LoadReport report, long nowMillis) {
        long seq = sequence++;
        ByteBuffer d = ByteBuffer.wrap(codec.encode(server, seq, nowMillis, report));
        for (int i = 0; i < targets.size(); i++) {
            String problem = null;
            try {
                d.rewind();
                if (channel.send(d, targets.get(i)) == 0) problem = "the socket's send buffer is full";
            } catch (IOException e) {
                problem = e.toString();
            }
            if (problem == null ? lastProblem[i] != null : !problem.equals(lastProblem[i])) {
                if (problem == null) {
                    log.log(System.Logger.Level.INFO, "reports to {0} are sent again", targets.get(i));
                } else {
                    log.log(System.Logger.Level.WARNING, "cannot send reports to {0}: {1}", targets.get(i), problem);
                }
                lastProblem[i] = problem;
            }
        }
        return seq;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
