package io.switchboard.app.dsr;

import io.switchboard.balance.Maglev;
import io.switchboard.config.DsrConfig;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nftables text of the direct-server-return table: one {@code netdev} chain on the ingress hook
 * of the director's interface whose rule gives a packet to {@code vip:port} the MAC of the server
 * that owns the flow's Maglev slot ({@code jhash ip saddr . tcp sport mod N seed S map {slot : MAC}}) and
 * sends it out of the same interface. The source MAC becomes the director's, so that a bridge or
 * switch keeps learning the client's MAC on the client's port, not on the director's (else the
 * servers' replies would be switched to the director). A first rule counts packets from the virtual
 * address seen here: replies that should have gone straight to the client.
 *
 * <p>{@link #transaction} wraps the table in one {@code nft -f} transaction that deletes and
 * re-creates it: the kernel applies all of it or, on any error, none (the previous table stays).
 *
 * <p>Threading: stateless.
 */
public final class NftRuleset {
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    /**
     * The jhash seed. Without one the kernel draws a random seed per rule, so every rewrite of the
     * table would send every flow to another slot and reset all connections; fixed, a flow keeps its
     * slot across rewrites (and on every director of a cluster).
     */
    public static final String SEED = "0x5357dc2b";
    static final String REPLIES = "replies through the director";
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes \\d+");

    private NftRuleset() {}

    /**
     * The table's definition.
     *
     * @param directorMac the interface's own MAC (lower case, colon-separated)
     * @param table the Maglev table; no back ends: the virtual address's packets are dropped
     * @param macs each back end's MAC by its key in {@code table}
     */
    public static String table(DsrConfig c, String directorMac, Maglev table, Map<String, String> macs) {
        requireMac(directorMac, "the interface " + c.iface());
        String proto = c.protocol().label();
        StringBuilder b = new StringBuilder();
        b.append("table netdev ").append(DsrConfig.TABLE).append(" {\n");
        b.append("\tchain ingress {\n");
        b.append("\t\ttype filter hook ingress device \"").append(c.iface()).append("\" priority 0; policy accept;\n");
        b.append("\t\tip saddr ").append(c.vip()).append(' ').append(proto).append(" sport ").append(c.port())
                .append(" counter comment \"").append(REPLIES).append("\"\n");
        b.append("\t\tip daddr ").append(c.vip()).append(' ').append(proto).append(" dport ").append(c.port()).append(" counter ");
        List<Maglev.Entry> backends = table.backends();
        if (backends.isEmpty()) {
            b.append("drop comment \"no eligible server\"\n");
        } else {
            b.append("ether saddr set ").append(directorMac).append(" ether daddr set jhash ip saddr . ").append(proto)
                    .append(" sport mod ").append(table.size()).append(" seed ").append(SEED).append(" map { ");
            String[] byOwner = new String[backends.size()];
            for (int i = 0; i < byOwner.length; i++) {
                String key = backends.get(i).key();
                byOwner[i] = requireMac(macs.get(key), "server " + key);
            }
            for (int s = 0; s < table.size(); s++) {
                if (s > 0) b.append(", ");
                b.append(s).append(" : ").append(byOwner[table.owner(s)]);
            }
            b.append(" } fwd to \"").append(c.iface()).append("\"\n");
        }
        b.append("\t}\n");
        b.append("}\n");
        return b.toString();
    }

    /** One transaction: create the table empty if absent (so that the delete cannot fail), delete it, define it anew. */
    public static String transaction(String table) {
        return "table netdev " + DsrConfig.TABLE + "\n"
                + "delete table netdev " + DsrConfig.TABLE + "\n"
                + table;
    }

    /** One transaction that removes the table, and does nothing when it is absent. */
    public static String removal() {
        return "table netdev " + DsrConfig.TABLE + "\n"
                + "delete table netdev " + DsrConfig.TABLE + "\n";
    }

    /**
     * The counters of a listing of the table ({@code nft list table}): {packets to the virtual address,
     * packets from it}; an element is null when the listing lacks that rule.
     */
    public static Long[] counters(String listing) {
        Long[] out = new Long[2];
        for (String line : listing.split("\n")) {
            Matcher m = COUNTER.matcher(line);
            if (!m.find()) continue;
            if (line.contains("\"" + REPLIES + "\"")) out[1] = Long.parseLong(m.group(1));
            else if (line.contains(" daddr ")) out[0] = Long.parseLong(m.group(1));
        }
        return out;
    }

    private static String requireMac(String mac, String whose) {
        if (mac == null || !MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException(whose + ": '" + mac + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
        }
        return mac;
    }
}
