package io.switchboard.cluster.vip;

import io.switchboard.cluster.VipAssignment;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Puts this node's share of the virtual addresses on its network interface and takes them off
 * again: {@code ip addr add} plus gratuitous ARP ({@code arping -U}, Debian package
 * {@code iputils-arping}) for each address gained, so switches and neighbours learn the new owner at
 * once (a second one a second later, for neighbours whose entry was too fresh to be replaced: Linux's
 * {@code locktime}); {@code ip addr del} for each address lost. At {@link #start} it removes copies of its
 * configured addresses that a crashed earlier run left on the interface; {@link #close} removes
 * every address it added.
 *
 * <p>Nothing here throws on a failed command: a missing {@code ip} or {@code arping}, or a command
 * that fails, is logged with what to do, and the address is reported as not held ({@link #held}).
 * IPv6 addresses are added with {@code nodad} (usable at once) and not announced (arping is IPv4 only).
 *
 * <p>Threading: every method is synchronized; the cluster service calls {@link #apply} from one
 * thread, in view order. The gratuitous ARP runs in the background and never delays the next step.
 */
public final class VipHolder implements AutoCloseable {
    private static final Logger LOG = System.getLogger(VipHolder.class.getName());

    /** How commands run: real processes, or a recording fake in tests. */
    interface Commands {
        /** Runs {@code argv} to its end; returns its exit code and output. Throws if it cannot be started. */
        Outcome run(List<String> argv) throws Exception;

        /** Starts {@code argv} without waiting; {@code onFailure} gets a message if it cannot start or fails. */
        void spawn(List<String> argv, Consumer<String> onFailure);
    }

    /** A finished command: its exit code and what it printed (stdout and stderr together). */
    record Outcome(int exitCode, String output) {}

    /**
     * Gratuitous ARPs per announcement, one a second, as keepalived's
     * {@code garp_master_repeat} 5: the member that lost the address may answer an ARP request or
     * two after the first announcement (members apply a view independently), and the later ones
     * correct that.
     */
    static final int ANNOUNCEMENTS = 5;

    private final String iface;
    private final List<String> vips;
    private final Commands commands;
    private final Set<String> held = new LinkedHashSet<>();
    /** The running announcement of each address: stopped when the address goes, so that no member announces an address it gave up. */
    private final Map<String, Runnable> announcing = new HashMap<>();
    /** Runs the later rounds of each announcement; daemon, so it never holds the JVM. */
    private final ScheduledExecutorService announcer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cluster-announce");
        t.setDaemon(true);
        return t;
    });
    private boolean warnedNoArping;
    private boolean closed;

    /** Addresses from {@code vips} (CIDR, e.g. {@code 10.0.0.100/24}; without a prefix a host address) on {@code iface}. */
    public VipHolder(String iface, List<String> vips) {
        this(iface, vips, new ProcessCommands(List.of()));
    }

    /** As above, every command run behind {@code prefix}: tests run them in a namespace with {@code ip netns exec <name>}. */
    public VipHolder(String iface, List<String> vips, List<String> prefix) {
        this(iface, vips, new ProcessCommands(prefix));
    }

    VipHolder(String iface, List<String> vips, Commands commands) {
        this.iface = Objects.requireNonNull(iface, "interface");
        this.vips = List.copyOf(vips);
        this.commands = Objects.requireNonNull(commands, "commands");
        if (iface.isBlank()) {
            throw new IllegalArgumentException("cluster interface must not be blank when virtual addresses are configured");
        }
    }

    /** Removes configured addresses that are on the interface already (left by a run that crashed). */
    public synchronized void start() {
        // Without it, removing an address that is primary in its subnet silently removes the other
        // addresses of that subnet too (held ones included).
        Outcome promote = run(List.of("sysctl", "-q", "-w", "net/ipv4/conf/" + iface + "/promote_secondaries=1"),
                "turning on promote_secondaries");
        if (promote != null && promote.exitCode() != 0) {
            LOG.log(Level.WARNING, "cluster: net.ipv4.conf." + iface + ".promote_secondaries could not be turned on ("
                    + promote.output().strip() + "); releasing one address may drop others of its subnet");
        }
        Outcome shown = run(List.of("ip", "-o", "addr", "show", "dev", iface), "listing the addresses");
        if (shown == null) {
            return;
        }
        if (shown.exitCode() != 0) {
            LOG.log(Level.ERROR, "cluster: interface " + iface + " cannot be listed (`ip addr show dev " + iface
                    + "` said: " + shown.output().strip() + "); virtual addresses will not be held until it exists");
            return;
        }
        for (String vip : vips) {
            if (listed(shown.output(), host(vip))) {
                LOG.log(Level.WARNING, "cluster: " + vip + " is on " + iface
                        + " from an earlier run; removing it until the group assigns it here");
                del(vip, "at start");
            }
        }
    }

    /** Applies this node's part of a view change: removals first (so an address is never held by two longer than needed), then additions. */
    public synchronized void apply(VipAssignment.Diff diff, long viewId) {
        if (closed) {
            return;
        }
        for (String vip : diff.remove()) {
            stopAnnouncing(vip);
            if (del(vip, "view " + viewId)) {
                held.remove(vip);
            }
        }
        for (String vip : diff.add()) {
            if (add(vip, viewId)) {
                held.add(vip);
            }
        }
        // Every held address, not only the new ones: after a partition heals, the side that kept an
        // address has nothing new to add, but its neighbours may have learnt the other side's MAC.
        for (String vip : held) {
            announce(vip);
        }
    }

    /** The addresses this node has added and not removed, in configured order. */
    public synchronized List<String> held() {
        List<String> out = new ArrayList<>();
        for (String vip : vips) {
            if (held.contains(vip)) {
                out.add(vip);
            }
        }
        for (String vip : held) {
            if (!out.contains(vip)) {
                out.add(vip);
            }
        }
        return out;
    }

    /** Removes every address this node added. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Runnable stop : announcing.values()) {
            stop.run();
        }
        announcing.clear();
        announcer.shutdownNow();
        for (String vip : List.copyOf(held)) {
            del(vip, "at shutdown");
        }
        held.clear();
    }

    private boolean add(String vip, long viewId) {
        List<String> argv = new ArrayList<>(List.of("ip", "addr", "add", withPrefix(vip), "dev", iface));
        if (isV6(vip)) {
            argv.add("nodad");
        }
        Outcome o = run(argv, "adding " + vip);
        if (o == null) {
            return false;
        }
        if (o.exitCode() == 0 || o.output().contains("File exists")) {
            LOG.log(Level.INFO, "cluster view " + viewId + ": holding " + vip + " on " + iface);
            return true;
        }
        LOG.log(Level.ERROR, "cluster view " + viewId + ": adding " + vip + " to " + iface + " failed (`"
                + String.join(" ", argv) + "`: " + o.output().strip() + "); it is not served here");
        return false;
    }

    private boolean del(String vip, String when) {
        List<String> argv = List.of("ip", "addr", "del", withPrefix(vip), "dev", iface);
        Outcome o = run(argv, "removing " + vip);
        if (o == null) {
            return false;
        }
        if (o.exitCode() == 0 || o.output().contains("Cannot assign requested address")) {
            LOG.log(Level.INFO, "cluster " + when + ": released " + vip + " from " + iface);
            return true;
        }
        LOG.log(Level.ERROR, "cluster " + when + ": removing " + vip + " from " + iface + " failed (`"
                + String.join(" ", argv) + "`: " + o.output().strip() + ")");
        return false;
    }

    /**
     * The first gratuitous ARP now, the others a second apart from this JVM's scheduler, each a
     * one-shot {@code arping -c 1}: so that a member killed with SIGKILL stops announcing with its
     * process (an {@code arping -c 5} child would go on announcing the dead member's MAC for seconds).
     */
    private void announce(String vip) {
        if (isV6(vip)) {
            return;
        }
        stopAnnouncing(vip); // one announcement at a time per address: the new one starts over
        garp(vip);
        List<ScheduledFuture<?>> rounds = new ArrayList<>();
        for (int i = 1; i < ANNOUNCEMENTS; i++) {
            rounds.add(announcer.schedule(() -> garp(vip), i, TimeUnit.SECONDS));
        }
        announcing.put(vip, () -> rounds.forEach(f -> f.cancel(false)));
    }

    private void garp(String vip) {
        commands.spawn(List.of("arping", "-U", "-c", "1", "-I", iface, host(vip)), failure -> {
            synchronized (this) {
                if (failure.contains("Cannot run program")) {
                    if (!warnedNoArping) {
                        warnedNoArping = true;
                        LOG.log(Level.WARNING, "cluster: arping is not installed (Debian package iputils-arping); "
                                + "held addresses are not announced, neighbours learn the new owner when their ARP entries expire");
                    }
                } else {
                    LOG.log(Level.WARNING, "cluster: gratuitous ARP for " + vip + " on " + iface + " failed: " + failure);
                }
            }
        });
    }

    private void stopAnnouncing(String vip) {
        Runnable stop = announcing.remove(vip);
        if (stop != null) {
            stop.run();
        }
    }

    private Outcome run(List<String> argv, String what) {
        try {
            return commands.run(argv);
        } catch (Exception e) {
            String why = String.valueOf(e.getMessage());
            if (why.contains("Cannot run program")) {
                LOG.log(Level.ERROR, "cluster: " + what + " on " + iface + " failed: `" + argv.getFirst()
                        + "` is not installed (Debian package " + (argv.getFirst().equals("sysctl") ? "procps" : "iproute2")
                        + "); virtual addresses are not held");
            } else {
                LOG.log(Level.ERROR, "cluster: " + what + " on " + iface + " failed: " + why);
            }
            return null;
        }
    }

    /** Whether {@code ip -o addr show} output lists {@code host} as an address (not as a peer or broadcast). */
    static boolean listed(String ipOutput, String host) {
        for (String line : ipOutput.split("\n")) {
            String[] words = line.trim().split("\\s+");
            for (int i = 0; i + 1 < words.length; i++) {
                if ((words[i].equals("inet") || words[i].equals("inet6")) && host(words[i + 1]).equalsIgnoreCase(host)) {
                    return true;
                }
            }
        }
        return false;
    }

    static String host(String vip) {
        int slash = vip.indexOf('/');
        return slash < 0 ? vip : vip.substring(0, slash);
    }

    private static boolean isV6(String vip) {
        return host(vip).indexOf(':') >= 0;
    }

    private static String withPrefix(String vip) {
        if (vip.indexOf('/') >= 0) {
            return vip;
        }
        return vip + (isV6(vip) ? "/128" : "/32");
    }

    @Override
    public String toString() {
        return "VipHolder[" + iface + " " + vips + "]";
    }
}
