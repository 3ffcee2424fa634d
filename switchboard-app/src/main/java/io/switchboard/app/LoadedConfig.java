package io.switchboard.app;

import io.switchboard.config.SwitchboardConfig;
import java.util.List;

/** A valid config and the doubts about it that did not stop it loading (an empty pool, an unused one). */
public record LoadedConfig(SwitchboardConfig config, List<ConfigProblem> warnings) {
    public LoadedConfig {
        warnings = List.copyOf(warnings);
    }

    /** "1 listener, 2 pools, 5 servers". */
    public String summary() {
        int servers = config.pools().values().stream().mapToInt(p -> p.servers().size()).sum();
        return count(config.listeners().size(), "listener") + ", " + count(config.pools().size(), "pool") + ", "
                + count(servers, "server")
                + (config.dns() == null ? "" : ", DNS for " + count(config.dns().zones().size(), "zone"))
                + (config.cluster() == null ? "" : ", cluster node " + config.cluster().node() + " with "
                        + count(config.cluster().peers().size(), "peer") + " and " + config.cluster().vips().size()
                        + (config.cluster().vips().size() == 1 ? " virtual address" : " virtual addresses"))
                + (config.dsr() == null ? "" : ", direct server return " + config.dsr().vip() + ":" + config.dsr().port() + "/"
                        + config.dsr().protocol().label() + " on " + config.dsr().iface() + " -> pool " + config.dsr().pool());
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
