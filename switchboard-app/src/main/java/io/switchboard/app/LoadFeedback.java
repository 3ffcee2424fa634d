package io.switchboard.app;

import io.switchboard.config.LoadFeedbackConfig;
import io.switchboard.config.LoadReportsConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.proxy.feedback.AgentCheckPuller;
import io.switchboard.proxy.feedback.LoadReportCounters;
import io.switchboard.proxy.feedback.LoadReportReceiver;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's sources of load reports, kept in step with the config: the UDP receiver (started
 * when {@code load-reports} is set and some pool has {@code load-feedback: push}) and one
 * agent-check puller per pool with {@code load-feedback: {agent-check: ...}}. The counters live as
 * long as the dispatcher, across reloads.
 *
 * <p>Threading: {@link #start}, {@link #reload} and {@link #close} are called under the dispatcher's
 * lock ({@link Switchboard} is synchronized); {@link #counters} from anywhere.
 */
final class LoadFeedback implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoadFeedback.class);

    private final PoolRegistry registry;
    private final LoadReportCounters counters = new LoadReportCounters();
    private LoadReportReceiver receiver;
    private LoadReportsConfig receiverConfig;
    private final Map<String, Puller> pullers = new HashMap<>();

    private record Puller(Pool pool, LoadFeedbackConfig config, AgentCheckPuller puller) {}

    LoadFeedback(PoolRegistry registry) {
        this.registry = registry;
    }

    LoadReportCounters counters() { return counters; }

    /** Where the receiver listens; null when it is not running. */
    InetSocketAddress receiverAddress() {
        return receiver == null ? null : receiver.localAddress();
    }

    /** @throws IOException when the receiver cannot bind its UDP port */
    void start(SwitchboardConfig config) throws IOException {
        apply(config, true);
    }

    /** Follows a reload; a receiver that cannot bind its new address is logged, and the dispatcher goes on without it. */
    void reload(SwitchboardConfig next) {
        try {
            apply(next, false);
        } catch (IOException e) {
            log.error("{}; pushed load reports are not received until a reload fixes it", e.getMessage());
        }
    }

    private void apply(SwitchboardConfig config, boolean first) throws IOException {
        List<Pool> push = new ArrayList<>();
        Map<String, LoadFeedbackConfig> pull = new HashMap<>();
        for (PoolConfig pc : config.pools().values()) {
            LoadFeedbackConfig f = pc.loadFeedback();
            if (f == null) continue;
            if (f.mode() == LoadFeedbackConfig.Mode.PUSH) push.add(registry.pool(pc.name()));
            else pull.put(pc.name(), f);
        }
        LoadReportsConfig want = push.isEmpty() ? null : config.loadReports();
        if (!Objects.equals(want, receiverConfig)) {
            if (receiver != null) receiver.close();
            receiver = null;
            receiverConfig = null;
            if (want != null) {
                LoadReportReceiver r = new LoadReportReceiver(want, counters);
                r.pools(push);
                r.start();
                receiver = r;
                receiverConfig = want;
            }
        }
        if (receiver != null) receiver.pools(push);

        pullers.entrySet().removeIf(e -> {
            Puller p = e.getValue();
            boolean keep = p.config.equals(pull.get(e.getKey())) && registry.pool(e.getKey()) == p.pool;
            if (!keep) p.puller.close();
            return !keep;
        });
        for (Map.Entry<String, LoadFeedbackConfig> e : pull.entrySet()) {
            if (pullers.containsKey(e.getKey())) continue;
            Pool pool = registry.pool(e.getKey());
            AgentCheckPuller p = new AgentCheckPuller(pool, e.getValue(), counters);
            p.start();
            pullers.put(e.getKey(), new Puller(pool, e.getValue(), p));
            if (first) log.info("pool {}: pulling agent-check answers from port {} every {}", e.getKey(),
                    e.getValue().port(), e.getValue().interval());
        }
    }

    @Override
    public void close() {
        if (receiver != null) receiver.close();
        receiver = null;
        receiverConfig = null;
        for (Puller p : pullers.values()) p.puller.close();
        pullers.clear();
    }
}
