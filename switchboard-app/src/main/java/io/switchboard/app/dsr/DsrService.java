package io.switchboard.app.dsr;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.backend.Member;
import io.switchboard.balance.Maglev;
import io.switchboard.config.DsrConfig;
import io.switchboard.dsr.DsrStatus;
import io.switchboard.registry.Pool;
import io.switchboard.registry.PoolRegistry;
import io.switchboard.registry.RegistryEvent;
import io.switchboard.registry.RegistryListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the kernel's direct-server-return table ({@code dsr:}) in step with its pool: whenever the
 * pool's eligible servers or their weights change (health checks, drain and maintenance, the admin
 * API, a reload), it recomputes the Maglev table, looks the servers' MACs up and writes the whole
 * table in one nft transaction, {@value #DEBOUNCE_MILLIS} ms after the first change of a burst.
 * Anything wrong (no interface, a server without a MAC, nft refusing or not permitted) writes
 * nothing: the table in force stays, the error is logged once and shown in {@link #status()}, and
 * the write is tried again every {@value #RETRY_MILLIS} ms. Every {@value #MAC_CHECK_MILLIS} ms the
 * servers' MACs are read from the neighbour table again, and a server that answers from another MAC
 * now (a replaced machine or card on the same address) gets a new table. Closing deletes the table.
 *
 * <p>Slow start does not rewrite the table: a server's slots follow its configured weight, not the
 * ramp (each rewrite would move flows for nothing).
 *
 * <p>Threading: one own thread ("switchboard-dsr") computes and writes; registry events only schedule
 * it (they arrive under the registry's write lock). {@link #start}, {@link #reload} and {@link #close}
 * come from the dispatcher's lock; {@link #status()} from anywhere.
 */
public final class DsrService implements RegistryListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DsrService.class);
    static final long DEBOUNCE_MILLIS = 50;
    static final long RETRY_MILLIS = 5_000;
    static final long MAC_CHECK_MILLIS = 10_000;

    /** A server as the table sees it: identity and configured weight. */
    record Wanted(String name, String host, int weight) {
        String key() {
            return name + "@" + host;
        }
    }

    private final PoolRegistry registry;
    private final Nft nft;
    private final Neighbours neighbours;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "switchboard-dsr");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile DsrConfig config;
    private volatile DsrStatus status;
    private boolean subscribed;
    // on the service's thread
    private DsrConfig appliedConfig;
    private List<Wanted> appliedServers;
    /** The MACs of the table in force, by server key. */
    private Map<String, String> appliedMacs = Map.of();
    private boolean written;
    private boolean failing;
    private boolean retryScheduled;
    private long applies;
    private String lastLogged;

    public DsrService(PoolRegistry registry, Nft nft, Neighbours neighbours) {
        this(registry, nft, neighbours, MAC_CHECK_MILLIS);
    }

    /** @param macCheckMillis how often the servers' MACs are compared with the neighbour table (tests shorten it) */
    DsrService(PoolRegistry registry, Nft nft, Neighbours neighbours, long macCheckMillis) {
        this.registry = registry;
        this.nft = nft;
        this.neighbours = neighbours;
        thread.scheduleWithFixedDelay(this::checkMacs, macCheckMillis, macCheckMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Rewrites the table when a server of the table in force has another MAC in the neighbour table
     * now. A server missing from it (down, or its entry expired) changes nothing: its health check
     * decides whether it leaves.
     */
    private void checkMacs() {
        DsrConfig c = appliedConfig;
        if (!written || failing || c == null) return;
        try {
            for (Map.Entry<String, String> e : appliedMacs.entrySet()) {
                String host = e.getKey().substring(e.getKey().lastIndexOf('@') + 1);
                String now = neighbours.lookup(host, c.iface());
                if (now != null && !now.equals(e.getValue())) {
                    log.info("dsr: server {} now answers from {} (was {}); rewriting the table", e.getKey(), now, e.getValue());
                    appliedServers = null; // makes write() compute and apply again
                    update();
                    return;
                }
            }
        } catch (DsrException | RuntimeException e) {
            log.debug("dsr: checking the servers' MACs failed", e);
        }
    }

    /** Writes the first table before returning (its errors are logged and in {@link #status()}; the dispatcher starts anyway). */
    public void start(DsrConfig c) {
        reload(c);
    }

    /** Follows a reload: a changed section writes a new table; no section deletes it. Waits for that write. */
    public synchronized void reload(DsrConfig c) {
        config = c;
        if (c != null && !subscribed) {
            registry.subscribe(this);
            subscribed = true;
        }
        try {
            thread.submit(this::update).get(2 * Nft.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.error("dsr: writing the table failed", e);
        }
    }

    /** The table in force and the last error; null without a {@code dsr} section. */
    public DsrStatus status() {
        return config == null ? null : status;
    }

    /**
     * {@link #status()} with the table's packet counters as the kernel has them now (one {@code nft list}:
     * for the admin API, not for a hot path); without them when the table cannot be listed.
     */
    public DsrStatus statusWithCounters() {
        DsrStatus s = status();
        if (s == null || s.applies() == 0) return s;
        try {
            Long[] c = NftRuleset.counters(nft.list("netdev", DsrConfig.TABLE));
            return s.withCounters(c[0], c[1]);
        } catch (DsrException e) {
            return s;
        }
    }

    @Override
    public void onEvent(RegistryEvent event) {
        DsrConfig c = config;
        if (c == null || !event.poolName().equals(c.pool())) return;
        if (pending.compareAndSet(false, true)) {
            thread.schedule(() -> {
                pending.set(false);
                update();
            }, DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void update() {
        try {
            write();
        } catch (RuntimeException e) {
            log.error("dsr: writing the table failed", e);
        }
    }

    private void write() {
        DsrConfig c = config;
        if (c == null) {
            remove();
            return;
        }
        List<Wanted> want = eligible(registry.pool(c.pool()));
        if (!failing && c.equals(appliedConfig) && want.equals(appliedServers)) return;
        try {
            String directorMac = neighbours.interfaceMac(c.iface());
            List<Maglev.Entry> entries = new ArrayList<>();
            for (Wanted w : want) entries.add(new Maglev.Entry(w.key(), w.weight()));
            Maglev table = Maglev.build(entries, c.tableSize());
            Map<String, String> macs = new LinkedHashMap<>();
            for (Wanted w : want) macs.put(w.key(), neighbours.serverMac(w.host(), c.iface(), w.name() + " (" + w.host() + ")"));
            nft.apply(NftRuleset.transaction(NftRuleset.table(c, directorMac, table, macs)));
            written = true;
            failing = false;
            appliedConfig = c;
            appliedServers = want;
            appliedMacs = Map.copyOf(macs);
            applies++;
            List<DsrStatus.Server> servers = new ArrayList<>();
            for (Wanted w : want) {
                servers.add(new DsrStatus.Server(w.name(), w.host(), macs.get(w.key()), w.weight(), table.slots(w.key())));
            }
            status = new DsrStatus(c.iface(), c.vip(), c.port(), c.protocol().label(), c.pool(), c.tableSize(), servers,
                    System.currentTimeMillis(), applies, null, 0);
            lastLogged = null;
            log.info("dsr: {}:{}/{} on {} -> {}", c.vip(), c.port(), c.protocol().label(), c.iface(), describe(servers, c.tableSize()));
        } catch (DsrException | IllegalArgumentException e) {
            failing = true;
            DsrStatus before = status;
            status = before != null && before.iface().equals(c.iface())
                    ? new DsrStatus(before.iface(), before.vip(), before.port(), before.protocol(), before.pool(), before.tableSize(),
                            before.servers(), before.appliedAtMillis(), before.applies(), e.getMessage(), System.currentTimeMillis())
                    : new DsrStatus(c.iface(), c.vip(), c.port(), c.protocol().label(), c.pool(), c.tableSize(), List.of(), 0, 0,
                            e.getMessage(), System.currentTimeMillis());
            if (!e.getMessage().equals(lastLogged)) {
                log.error("dsr: {}; {}", e.getMessage(), written ? "the table in force stays" : "no table is written");
                lastLogged = e.getMessage();
            }
            if (!retryScheduled) {
                retryScheduled = true;
                thread.schedule(() -> {
                    retryScheduled = false;
                    update();
                }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static String describe(List<DsrStatus.Server> servers, int size) {
        if (servers.isEmpty()) return "no eligible server: its packets are dropped";
        List<String> parts = new ArrayList<>();
        for (DsrStatus.Server s : servers) parts.add(s.name() + " " + s.address() + " " + s.mac() + " " + s.slots() + " slots");
        return String.join(", ", parts) + " (of " + size + ")";
    }

    /** The servers that may take new flows, in pool order, with their configured weights. */
    static List<Wanted> eligible(Pool pool) {
        if (pool == null) return List.of();
        BackendSet set = pool.snapshot().backends();
        List<Wanted> out = new ArrayList<>();
        for (Backend b : set.eligible()) {
            Member m = set.member(b.name());
            out.add(new Wanted(b.name(), b.host(), Math.max(1, m == null ? 1 : m.weight())));
        }
        return out;
    }

    private void remove() {
        if (!written) return;
        try {
            nft.apply(NftRuleset.removal());
            log.info("dsr: table {} deleted", DsrConfig.TABLE);
        } catch (DsrException e) {
            log.error("dsr: deleting the table failed: {}", e.getMessage());
        }
        written = false;
        appliedConfig = null;
        appliedServers = null;
        appliedMacs = Map.of();
        status = null;
    }

    /** Deletes the table and stops the thread. */
    @Override
    public synchronized void close() {
        registry.unsubscribe(this);
        subscribed = false;
        config = null;
        try {
            thread.submit(this::update).get(2 * Nft.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            log.error("dsr: deleting the table failed: {}", e.getMessage());
        }
        thread.shutdownNow();
    }
}
